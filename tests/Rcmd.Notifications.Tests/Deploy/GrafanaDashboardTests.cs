using System.Text.Json;
using System.Text.RegularExpressions;
using Rcmd.Notifications.Tests.Prometheus;

namespace Rcmd.Notifications.Tests.Deploy;

/// <summary>deploy/grafana/rcmd-failures.json: the seed's 8 panels, queries verbatim.</summary>
public sealed partial class GrafanaDashboardTests
{
    [Fact]
    public void Dashboard_EightPanels_SeedQueriesVerbatimInOrder()
    {
        var path = Path.Combine(SeedQueries.RepositoryRoot(), "deploy", "grafana", "rcmd-failures.json");
        using var dashboard = JsonDocument.Parse(File.ReadAllText(path));

        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();
        Assert.Equal(8, panels.Count);
        Assert.Equal(SeedQueries.All, panels.Select(p => Assert.Single(p.GetProperty("targets").EnumerateArray().ToList()).GetProperty("expr").GetString()));
        Assert.All(panels, p => Assert.Equal("${datasource}", p.GetProperty("datasource").GetProperty("uid").GetString()));
        Assert.Equal("rcmd-failures", dashboard.RootElement.GetProperty("uid").GetString());
    }

    [Fact]
    public void SeedQueries_SameAsTheSeedDocument_WhenItIsBesideTheRepository()
    {
        // The seed lives in ../shared (beside the repository, as CI and the developers have it).
        var seed = Path.Combine(SeedQueries.RepositoryRoot(), "..", "shared", "seeds", "failure-taxonomy.md");
        Assert.True(File.Exists(seed), "shared/seeds/failure-taxonomy.md is not beside the repository: " + seed);
        var text = File.ReadAllText(seed);
        var plan = text[text.IndexOf("## Dashboard plan", StringComparison.Ordinal)..];
        plan = plan[..plan.IndexOf("> Note", StringComparison.Ordinal)];

        Assert.Equal(SeedQueries.All, QueryInBackticks().Matches(plan).Select(m => m.Groups[1].Value));
    }

    [GeneratedRegex(@"^- [^`]+: `(.+)`$", RegexOptions.Multiline)]
    private static partial Regex QueryInBackticks();
}
