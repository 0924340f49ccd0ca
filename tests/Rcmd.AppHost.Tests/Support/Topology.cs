using Rcmd.AppHost.Model;
using Rcmd.AppHost.Prerequisites;

namespace Rcmd.AppHost.Tests.Support;

/// <summary>The app model AppHost.cs declares, built the same way, plus a toolchain that needs no real programs.</summary>
internal static class Topology
{
    public static DistributedApplicationBuilder Declare(params string[] args)
    {
        var builder = new DistributedApplicationBuilder(AppHostOptions.Parse(args, _ => null));
        var redis = builder.AddRedis("redis");
        var rclone = builder.AddRcloneRcd("rclone");
        var api = builder.AddProject("api", "Rcmd.Api").WithReference(redis).WithReference(rclone);
        builder.AddProject("worker", "Rcmd.Worker")
            .WithReplicas(builder.Options.Workers)
            .WithReplicaId("Worker__WorkerId")
            .WithReference(redis)
            .WithReference(rclone);
        if (builder.Options.Web)
        {
            builder.AddProject("web", "Rcmd.Web")
                .WithReference(api)
                .WithExternalHttpEndpoints()
                .WithEndpoint("http", e => (e.Port, e.PreferredPort) = (builder.Options.WebPort, AppHostOptions.DefaultWebPort));
        }

        return builder;
    }

    public static Toolchain FakeTools() => new("/usr/bin/redis-server", "/usr/bin/rclone", "/usr/share/dotnet/dotnet",
        new Dictionary<string, ProjectBuild>
        {
            ["Rcmd.Api"] = new("Rcmd.Api", "/repo/Rcmd.Api/bin/Debug/net10.0/Rcmd.Api.dll", "/repo/Rcmd.Api", null),
            ["Rcmd.Worker"] = new("Rcmd.Worker", "/repo/Rcmd.Worker/bin/Debug/net10.0/Rcmd.Worker.dll", "/repo/Rcmd.Worker", null),
            ["Rcmd.Web"] = new("Rcmd.Web", "/repo/Rcmd.Web/bin/Debug/net9.0/linux-x64/Rcmd.Web.dll", "/repo/Rcmd.Web",
                "/repo/Rcmd.Web/bin/Debug/net9.0/linux-x64/Rcmd.Web"),
        });
}
