using Rcmd.Api.Apis;
using Rcmd.Api.Errors;
using Rcmd.Api.Extensions;
using Rcmd.Api.Hubs;
using Rcmd.Api.Rc;
using Rcmd.Api.Security;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

if (await app.RefusesToStartAsync())
{
    return AuthBootstrap.RefusedExitCode;
}

app.UseApiErrors();
app.UseApiSecurity();

if (app.Environment.IsDevelopment())
{
    app.MapOpenApi();
}

app.MapDefaultEndpoints();
app.MapJobsApi();
app.MapBatchesApi();
app.MapRemotesApi();
app.MapEventsApi();
app.MapHub<LiveHub>(LiveHub.Path).RequireAuthorization(Roles.ViewerPolicy);
app.MapNotificationsApi();
app.MapErrorsApi();
app.MapStatsApi();
app.MapSchedulesApi();
app.MapRetentionApi();
app.MapAuthApi();
app.MapSessionsApi();
app.MapAuditApi();
app.MapRcApi();

await app.RunAsync();
return 0;

/// <summary>The entry point, public so tests can host the Api with WebApplicationFactory.</summary>
public partial class Program;
