using Rcmd.Jobs;
using Rcmd.Storage;
using Rcmd.Web.Services;
using Rcmd.Web.Tests.Infrastructure;

namespace Rcmd.Web.Tests.Services;

public sealed class JobListFilterTests
{
    [Fact]
    public void ToQuery_AllFilters_EveryParameterEscaped()
    {
        var filter = new JobListFilter
        {
            State = JobState.Failed,
            Type = JobType.CopyFile,
            Remote = "my remote",
            ErrorCode = "access_denied",
            From = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            To = new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero),
            Ascending = true,
        };

        Assert.Equal("page=2&pageSize=25&state=failed&type=copyfile&remote=my%20remote&errorCode=access_denied"
            + "&from=2026-01-01T00%3A00%3A00.0000000%2B00%3A00&to=2026-01-02T00%3A00%3A00.0000000%2B00%3A00&sort=created",
            filter.ToQuery(2, 25));
        Assert.Equal("page=1&pageSize=50", new JobListFilter().ToQuery(1, 50));
    }

    [Theory]
    [InlineData(JobSort.Created, false, null)]
    [InlineData(JobSort.Created, true, "created")]
    [InlineData(JobSort.State, true, "state")]
    [InlineData(JobSort.State, false, "-state")]
    [InlineData(JobSort.Type, true, "type")]
    [InlineData(JobSort.Type, false, "-type")]
    public void ToQuery_SortColumnAndDirection_SortParameter(JobSort sortBy, bool ascending, string? expected)
    {
        var query = new JobListFilter { SortBy = sortBy, Ascending = ascending }.ToQuery(1, 10);

        Assert.Equal(expected is null ? "page=1&pageSize=10" : "page=1&pageSize=10&sort=" + expected, query);
    }

    [Fact]
    public void Matches_RemoteOfSourceOrDestination()
    {
        var job = TestJobs.Queued(source: "/data/a", destination: "s3prod:bucket/a");

        Assert.True(new JobListFilter { Remote = "s3prod" }.Matches(job));
        Assert.True(new JobListFilter { Remote = "local", Type = JobType.Copy }.Matches(job));
        Assert.False(new JobListFilter { Remote = "gdrive" }.Matches(job));
        Assert.False(new JobListFilter { ErrorCode = "not_found" }.Matches(job));
        Assert.False(new JobListFilter { From = job.CreatedAt.AddSeconds(1) }.Matches(job));
    }
}
