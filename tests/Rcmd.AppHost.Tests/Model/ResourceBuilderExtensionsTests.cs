using Rcmd.AppHost.Model;
using Rcmd.AppHost.Tests.Support;

namespace Rcmd.AppHost.Tests.Model;

public class ResourceBuilderExtensionsTests
{
    [Fact]
    public void Topology_WorkerHasTwoReplicasByDefault_AndWorkersOptionChangesIt()
    {
        Assert.Equal(2, Worker(Topology.Declare()).Replicas);
        Assert.Equal(5, Worker(Topology.Declare("--workers", "5")).Replicas);
    }

    [Fact]
    public void Topology_NoWebOption_LeavesWebOut()
    {
        Assert.DoesNotContain(Topology.Declare("--no-web").Resources, r => r.Name == "web");
    }

    [Fact]
    public void WithExternalHttpEndpoints_MarksOnlyWebExternal()
    {
        var resources = Topology.Declare().Resources.OfType<IResourceWithEndpoints>().ToList();

        Assert.Equal(["web"], resources.Where(r => r.Endpoints.Any(e => e.IsExternal)).Select(r => r.Name));
    }

    [Fact]
    public void WithReference_SameResourceTwice_IsKeptOnce()
    {
        var builder = new DistributedApplicationBuilder(AppHostOptions.Parse([], _ => null));
        var redis = builder.AddRedis("redis");

        var api = builder.AddProject("api", "Rcmd.Api").WithReference(redis).WithReference(redis);

        Assert.Single(api.Resource.References);
    }

    [Fact]
    public void RcloneRcd_Password_Is32FreshHexCharacters()
    {
        var first = new RcloneRcdResource("rclone").Password;
        var second = new RcloneRcdResource("rclone").Password;

        Assert.Matches("^[0-9a-f]{32}$", first);
        Assert.NotEqual(first, second);
        var rclone = new RcloneRcdResource("rclone");
        Assert.DoesNotContain(rclone.Password, rclone.ToString(), StringComparison.Ordinal);
    }

    private static ProjectResource Worker(DistributedApplicationBuilder builder) =>
        builder.Resources.OfType<ProjectResource>().Single(p => p.Name == "worker");
}
