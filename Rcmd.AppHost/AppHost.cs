// The topology of Rcmd: Redis and rclone rcd first, then the Api and the Workers that use them, then the dashboard that
// uses the Api. `./rcmd run` (= dotnet run --project Rcmd.AppHost) starts it with the Aspire developer dashboard.
using Rcmd.AppHost;

if (RcmdRun.Prepare(args) is not { } run)
{
    return RcmdRun.ExitCode;
}

var builder = DistributedApplication.CreateBuilder(run.AspireArgs);
builder.AddRcmdRunServices(run);

var redis = builder.AddRedisServer("redis", run);
var rclone = builder.AddRcloneRcd("rclone", run);

var api = builder.AddRcmdProject<Projects.Rcmd_Api>("api", run, port: run.ApiPort)
    .WithFirstAdmin(run)
    .WithOidcSettings(run, clientSecret: false)
    .WithReference(redis).WaitFor(redis)
    .WithRcloneReference(rclone, run.Rcd).WaitFor(rclone);

if (run.Options.Workers > 0)
{
    builder.AddRcmdProject<Projects.Rcmd_Worker>("worker", run, port: null)
        .WithReplicas(run.Options.Workers)
        .WithReference(redis).WaitFor(redis)
        .WithRcloneReference(rclone, run.Rcd).WaitFor(rclone);
}

if (run.Options.Web)
{
    builder.AddRcmdProject<Projects.Rcmd_Web>("web", run, port: run.WebPort)
        .WithDashboardGen0Budget()
        .WithOidcSettings(run, clientSecret: true)
        .WithReference(api).WaitFor(api)
        .WithReference(redis) // data-protection keys: sign-ins survive a Web restart and work across replicas
        .WithExternalHttpEndpoints();
}

await builder.Build().RunAsync();
return 0;
