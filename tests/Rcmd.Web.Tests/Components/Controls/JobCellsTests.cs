using AngleSharp.Dom;
using MudBlazor;
using Rcmd.Jobs;
using Rcmd.Web.Components.Controls;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Components.Controls;

public sealed class JobCellsTests : RcmdTestContext
{
    [Fact]
    public void Progress_QueuedJob_ShowsNoBar()
    {
        var cut = Render(JobCells.Progress(TestJobs.Queued()));

        Assert.Null(cut.Find("[data-testid=job-progress]").GetAttribute("data-percent"));
        Assert.Empty(cut.FindAll("[role=progressbar]"));
    }

    [Fact]
    public void Progress_SucceededJobWithoutProgress_ShowsFull()
    {
        var job = TestJobs.Succeeded(TestJobs.Running() with { Progress = null });

        var cut = Render(JobCells.Progress(job));

        Assert.Equal("100", cut.Find("[data-testid=job-progress]").GetAttribute("data-percent"));
        Assert.Equal("100%", cut.Find(".progress-text").TextContent);
        Assert.Contains("mud-progress-linear-color-success", cut.Find("[role=progressbar]").ClassList);
    }

    [Theory]
    [InlineData(25, "translateX(-75%)")]
    [InlineData(12.5, "translateX(-87.5%)")]
    [InlineData(0, "translateX(-100%)")]
    public void Progress_RunningJob_BarMovedLeftByWhatIsMissing(double percent, string transform)
    {
        var cut = Render(JobCells.Progress(TestJobs.Running(percent: percent)));

        Assert.Contains(transform, cut.Find(".mud-progress-linear-bar").GetAttribute("style"), StringComparison.Ordinal);
        Assert.Equal(percent.ToString(System.Globalization.CultureInfo.InvariantCulture),
            cut.Find("[role=progressbar]").GetAttribute("aria-valuenow"));
    }

    [Fact]
    public void Progress_LooksLikeMudProgressLinear()
    {
        var job = TestJobs.Running(percent: 40);

        var ours = Render(JobCells.Progress(job)).Find("[role=progressbar]");
        var theirs = Render<MudProgressLinear>(p => p.Add(x => x.Value, 40).Add(x => x.Max, 100).Add(x => x.Color, Color.Primary)
            .Add(x => x.Rounded, true).Add(x => x.Size, Size.Medium).Add(x => x.Class, "progress-bar")).Find("[role=progressbar]");

        Assert.Equal(Classes(theirs), Classes(ours));
        Assert.Equal(Classes(theirs.QuerySelector(".mud-progress-linear-bars")!), Classes(ours.QuerySelector(".mud-progress-linear-bars")!));
        Assert.Equal(theirs.QuerySelector(".mud-progress-linear-bar")!.GetAttribute("style"), ours.QuerySelector(".mud-progress-linear-bar")!.GetAttribute("style"));
    }

    [Theory]
    [InlineData(JobState.Queued, false, "info")]
    [InlineData(JobState.Running, false, "primary")]
    [InlineData(JobState.Running, true, "warning")]
    [InlineData(JobState.Failed, false, "error")]
    [InlineData(JobState.Canceled, false, "dark")]
    public void State_LooksLikeMudChipOfTheStatesColour(JobState state, bool cancelRequested, string colour)
    {
        var ours = Render(JobCells.State(state, cancelRequested)).Find("[data-testid=job-state]");
        var theirs = Render<MudChip<string>>(p => p.Add(x => x.Size, Size.Small).Add(x => x.Variant, Variant.Filled)
            .Add(x => x.Color, Enum.Parse<Color>(colour, ignoreCase: true)).Add(x => x.Class, "state-badge").AddChildContent("x")).Find(".mud-chip");

        Assert.Equal(Classes(theirs), Classes(ours));
        Assert.Equal(state.ToWire(), ours.GetAttribute("data-state"));
        Assert.Equal(state.ToWire(), ours.QuerySelector(".mud-chip-content")!.TextContent);
        Assert.Equal(cancelRequested, ours.GetAttribute("title")?.Contains("Cancel requested", StringComparison.Ordinal) ?? false);
    }

    [Fact]
    public void Paths_ShowSourceAndDestination_OrOnlyTheSourceForADelete()
    {
        var copy = Render(JobCells.Paths(TestJobs.Queued(source: "/data/in", destination: "s3:bucket/out")));
        var delete = Render(JobCells.Paths(TestJobs.Queued(type: JobType.Delete, source: "/data/old", destination: null)));

        Assert.Equal(["/data/in", "s3:bucket/out"], copy.FindAll("code.path").Select(c => c.TextContent));
        Assert.Single(copy.FindAll(".arrow"));
        Assert.Equal(["/data/old"], delete.FindAll("code.path").Select(c => c.TextContent));
        Assert.Empty(delete.FindAll(".arrow"));
    }

    private static string[] Classes(IElement element) => [.. element.ClassList.Order(StringComparer.Ordinal)];
}
