using Rcmd.AppHost.Model;
using Rcmd.AppHost.Orchestration;
using Rcmd.AppHost.Tests.Support;

namespace Rcmd.AppHost.Tests.Orchestration;

public class LaunchPlannerTests
{
    private static readonly HttpClient Http = new();

    [Fact]
    public void Plan_Api_GetsRedisConnectionStringAndRcloneServiceAndCredentials()
    {
        var (plan, rclone) = Plan();
        var redisPort = Spec(plan, "redis").Instance.PrimaryEndpoint.Port;
        var rclonePort = Spec(plan, "rclone").Instance.PrimaryEndpoint.Port;

        var environment = Spec(plan, "api").Environment;

        Assert.Equal($"127.0.0.1:{redisPort}", environment["ConnectionStrings__redis"]);
        Assert.Equal($"http://127.0.0.1:{rclonePort}/", environment["services__rclone__http__0"]);
        Assert.Equal("rcmd", environment["Rclone__User"]);
        Assert.Equal(rclone.Password, environment["Rclone__Password"]);
        Assert.False(environment.ContainsKey("services__api__http__0"));
    }

    [Fact]
    public void Plan_Web_GetsApiServiceUrlAndNothingOfRedisOrRclone()
    {
        var (plan, _) = Plan();
        var apiPort = Spec(plan, "api").Instance.PrimaryEndpoint.Port;

        var environment = Spec(plan, "web").Environment;

        Assert.Equal($"http://127.0.0.1:{apiPort}", environment["services__api__http__0"]);
        Assert.DoesNotContain(environment.Keys, k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || k.StartsWith("Rclone__", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_Projects_ListenOnTheirOwnLoopbackPortAndNameThemselves()
    {
        var (plan, _) = Plan();

        foreach (var name in new[] { "api", "worker-1", "worker-2", "web" })
        {
            var spec = Spec(plan, name);
            Assert.Equal($"http://127.0.0.1:{spec.Instance.PrimaryEndpoint.Port}", spec.Environment["ASPNETCORE_URLS"]);
            Assert.Equal(name.Split('-')[0], spec.Environment["OTEL_SERVICE_NAME"]);
            Assert.Equal("Development", spec.Environment["ASPNETCORE_ENVIRONMENT"]);
            Assert.Equal("Development", spec.Environment["DOTNET_ENVIRONMENT"]);
            Assert.False(spec.Environment.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT"));
        }
    }

    [Fact]
    public void Plan_WorkerReplicas_GetTheirOwnWorkerId()
    {
        var (plan, _) = Plan();

        Assert.Equal("worker-1", Spec(plan, "worker-1").Environment["Worker__WorkerId"]);
        Assert.Equal("worker-2", Spec(plan, "worker-2").Environment["Worker__WorkerId"]);
        Assert.False(Spec(plan, "api").Environment.ContainsKey("Worker__WorkerId"));
    }

    [Fact]
    public void Plan_HostEnvironment_PassesOtlpEndpointAndKeepsTheChosenEnvironment()
    {
        var host = new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317", ["ASPNETCORE_ENVIRONMENT"] = "Staging" };

        var (plan, _) = Plan(host);

        var environment = Spec(plan, "api").Environment;
        Assert.Equal("http://127.0.0.1:4317", environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("Staging", environment["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("Staging", environment["DOTNET_ENVIRONMENT"]);
    }

    [Fact]
    public void Plan_Redis_RunsOnLoopbackWithAofUnderTheDataDirectory()
    {
        var (plan, _) = Plan();
        var redis = Spec(plan, "redis");

        Assert.Equal("/usr/bin/redis-server", redis.FileName);
        Assert.Equal(["--port", redis.Instance.PrimaryEndpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1", "--dir", "/data/redis", "--appendonly", "yes", "--save", "", "--protected-mode", "yes"], redis.Arguments);
    }

    [Fact]
    public void Plan_Rclone_HasAuthAndLongJobExpiryAndThePasswordOnlyInItsEnvironment()
    {
        var (plan, rclone) = Plan();
        var spec = Spec(plan, "rclone");

        Assert.Equal(["rcd", "--rc-addr", $"127.0.0.1:{spec.Instance.PrimaryEndpoint.Port}", "--rc-user", "rcmd", "--rc-job-expire-duration", "24h"],
            spec.Arguments);
        Assert.DoesNotContain("--rc-no-auth", spec.Arguments);
        Assert.Equal(rclone.Password, spec.Environment["RCLONE_RC_PASS"]);
        Assert.Contains(rclone.Password, spec.Secrets);
        Assert.DoesNotContain(plan.All, s => s.Arguments.Any(a => a.Contains(rclone.Password, StringComparison.Ordinal)));
        Assert.DoesNotContain(plan.All, s => s.Readiness.Description.Contains(rclone.Password, StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_Projects_RunFromTheirBuildInTheirProjectDirectory()
    {
        var (plan, _) = Plan();

        var api = Spec(plan, "api");
        Assert.Equal("/usr/share/dotnet/dotnet", api.FileName);
        Assert.Equal(["/repo/Rcmd.Api/bin/Debug/net10.0/Rcmd.Api.dll"], api.Arguments);
        Assert.Equal("/repo/Rcmd.Api", api.WorkingDirectory);

        var web = Spec(plan, "web");
        Assert.Equal("/repo/Rcmd.Web/bin/Debug/net9.0/linux-x64/Rcmd.Web", web.FileName);
        Assert.Empty(web.Arguments);
        Assert.Equal($"GET http://127.0.0.1:{web.Instance.PrimaryEndpoint.Port}/health", web.Readiness.Description);
    }

    [Fact]
    public void Plan_Waves_FollowTheReferences()
    {
        var (plan, _) = Plan();

        Assert.Equal([["redis", "rclone"], ["api", "worker-1", "worker-2"], ["web"]], plan.Waves.Select(w => w.Select(s => s.Name).ToArray()));
    }

    private static (LaunchPlan Plan, RcloneRcdResource Rclone) Plan(IReadOnlyDictionary<string, string>? host = null)
    {
        var model = Topology.Declare().Build().Model;
        var instances = EndpointAllocator.Allocate(model, new PortAllocator());
        var planner = new LaunchPlanner(Topology.FakeTools(), "/data", name => host?.GetValueOrDefault(name), Http);
        return (planner.Plan(model, instances), model.Resources.OfType<RcloneRcdResource>().Single());
    }

    private static LaunchSpec Spec(LaunchPlan plan, string name) => plan.All.Single(s => s.Name == name);
}
