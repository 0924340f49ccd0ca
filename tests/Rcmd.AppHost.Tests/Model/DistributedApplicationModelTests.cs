using Rcmd.AppHost.Model;
using Rcmd.AppHost.Tests.Support;

namespace Rcmd.AppHost.Tests.Model;

public class DistributedApplicationModelTests
{
    [Fact]
    public void Waves_Topology_RedisAndRcloneFirstThenApiAndWorkerThenWeb()
    {
        var model = Topology.Declare().Build().Model;

        var waves = model.Waves.Select(w => w.Select(r => r.Name).ToArray()).ToArray();

        Assert.Equal([["redis", "rclone"], ["api", "worker"], ["web"]], waves);
    }

    [Fact]
    public void Build_ReferenceToUndeclaredResource_Throws()
    {
        var builder = new DistributedApplicationBuilder(AppHostOptions.Parse([], _ => null));
        var other = new DistributedApplicationBuilder(AppHostOptions.Parse([], _ => null)).AddRedis("elsewhere");
        builder.AddProject("api", "Rcmd.Api").WithReference(other);

        var error = Assert.Throws<InvalidOperationException>(() => builder.Build());

        Assert.Contains("'elsewhere', which is not in the app model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_ReferenceCycle_Throws()
    {
        var builder = new DistributedApplicationBuilder(AppHostOptions.Parse([], _ => null));
        var a = builder.AddProject("a", "Rcmd.Api");
        var b = builder.AddProject("b", "Rcmd.Worker").WithReference(a);
        a.WithReference(b);

        var error = Assert.Throws<InvalidOperationException>(() => builder.Build());

        Assert.Contains("cycle", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddResource_DuplicateName_Throws()
    {
        var builder = new DistributedApplicationBuilder(AppHostOptions.Parse([], _ => null));
        builder.AddRedis("redis");

        Assert.Throws<InvalidOperationException>(() => builder.AddRcloneRcd("redis"));
    }
}
