// The topology of Rcmd, as an Aspire AppHost would declare it: Redis and rclone rcd first, then the Api and the
// Workers that use them, then the dashboard that uses the Api. `./rcmd run` starts it (README).
var builder = DistributedApplication.CreateBuilder(args);

var redis = builder.AddRedis("redis");
var rclone = builder.AddRcloneRcd("rclone");

var api = builder.AddProject("api", "Rcmd.Api")
    .WithReference(redis)
    .WithReference(rclone);

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
        .WithEndpoint("http", endpoint =>
        {
            endpoint.Port = builder.Options.WebPort;                    // --web-port: exactly this one
            endpoint.PreferredPort = AppHostOptions.DefaultWebPort;     // otherwise 5080 when free, else any free port
        });
}

builder.Build().Run();
