using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;
using Rcmd.Web.Components;
using Rcmd.Web.Security;
using Rcmd.Web.Services;

namespace Rcmd.Web;

/// <summary>Everything Rcmd.Web registers and maps; Program.cs only lists the steps.</summary>
public static class Extensions
{
    public static void AddApplicationServices(this WebApplicationBuilder builder)
    {
        // Serve MudBlazor's files (_content/…) and the scoped-CSS bundle from the build output in every environment, not
        // only Development: `dotnet run`/the AppHost may start the dashboard as Production. A no-op once published.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents()
            // A prerendered page's state (its first page of jobs or files, [Prerender]) reaches the circuit in the
            // browser's first hub message: 25 jobs are over SignalR's default 32 KiB, and the circuit would never start.
            .AddHubOptions(o => o.MaximumReceiveMessageSize = PrerenderStateMaxBytes);
        builder.Services.AddMudServices(o =>
        {
            o.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight;
            o.SnackbarConfiguration.VisibleStateDuration = 5000;
        });
        builder.Services.AddRcmdApiClient(builder.Configuration);
        builder.AddDashboardSecurity();
        builder.Services.AddLiveEvents(builder.Configuration);
    }

    /// <summary>
    /// The typed <see cref="RcmdApiClient"/>, based at <c>services:api:http:0</c>, sending <c>X-Api-Key</c> when
    /// <c>Rcmd:ApiKey</c> is set. A missing address stops the process at start with a message that says which variable to set.
    /// </summary>
    public static IServiceCollection AddRcmdApiClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RcmdApiOptions>()
            .Configure(o =>
            {
                // http://api resolves through service discovery (ServiceDefaults) from services:api:http:0.
                o.BaseAddress = configuration.GetSection("services:" + RcmdApiConstants.ServiceName).Exists()
                    ? new Uri($"http://{RcmdApiConstants.ServiceName}/")
                    : null;
                o.HubAddress = (configuration["services:api:https:0"] ?? configuration["services:api:http:0"]) is { Length: > 0 } direct
                    ? new Uri(direct)
                    : null;
                o.ApiKey = configuration[RcmdApiConstants.ApiKeyConfigKey];
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddTransient<ApiKeyHandler>();

        services.AddHttpClient<RcmdApiClient>((sp, http) =>
            {
                var options = sp.GetRequiredService<IOptions<RcmdApiOptions>>().Value;
                http.BaseAddress = options.BaseAddress;
                http.Timeout = options.Timeout;
            })
            .AddHttpMessageHandler<ApiKeyHandler>()
            // The standard handler as ServiceDefaults gives it, except that a POST (submit, cancel, retry) is never sent twice.
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(o => o.Retry.DisableForUnsafeHttpMethods());
        return services;
    }

    /// <summary>The one live-event fan-out of the process and the SignalR client that feeds it from the Api's hub.</summary>
    public static IServiceCollection AddLiveEvents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LiveEventsOptions>()
            .Bind(configuration.GetSection(LiveEventsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LiveEvents>();
        services.TryAddSingleton<LiveHubClient>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveHubClient>());
        return services;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        app.UseDashboardSecurity();
        app.UseAntiforgery();
        app.MapStaticAssets();
        var serverMode = app.Services.GetRequiredService<DashboardAuthOptions>().ServerMode;
        var download = app.MapGet(BatchReportDownloadPath, DownloadBatchReportAsync);
        // No per-message deflate on the circuits' WebSockets: each would hold its own zlib state (a few hundred KiB of
        // native memory per open dashboard) to shrink render batches of a few KiB on a connection to the operator's browser.
        var pages = app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.DisableWebSocketCompression = true);
        if (serverMode)
        {
            // Every page and the download need sign-in; the sign-in page opts out ([AllowAnonymous]).
            download.RequireAuthorization();
            pages.RequireAuthorization();
        }

        app.MapSignInEndpoints();
        return app;
    }

    /// <summary>The largest hub message the circuit takes from a browser (its first carries the prerendered page's state).</summary>
    public const int PrerenderStateMaxBytes = 512 * 1024;

    /// <summary>Where the browser downloads a batch report (the Api is not the browser's to reach: the Web asks it).</summary>
    public const string BatchReportDownloadPath = "/downloads/batches/{id}/report.{format}";

    /// <summary>The link to a batch report download in <paramref name="format"/> (<c>csv</c> or <c>json</c>).</summary>
    public static string BatchReportDownloadUrl(string id, string format, BatchReportFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return $"downloads/batches/{Uri.EscapeDataString(id)}/report.{format}" + (filter.IsEmpty ? string.Empty : "?" + filter.ToQuery());
    }

    /// <summary>Streams <c>GET /api/batches/{id}/report.csv|json</c> through to the browser, with the Api's status and headers.</summary>
    private static async Task DownloadBatchReportAsync(string id, string format, string? state, string? code, HttpContext context,
        RcmdApiClient api, DashboardUser user)
    {
        user.Use(context.User);
        if (format is not ("csv" or "json"))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var filter = new BatchReportFilter
        {
            State = Rcmd.Batches.BatchItemStates.TryParse(state, out var parsed) ? parsed : null,
            Code = string.IsNullOrWhiteSpace(code) ? null : code.Trim(),
        };
        using var response = await api.DownloadBatchReportAsync(id, format, filter, context.RequestAborted);
        if (response is null)
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            await context.Response.WriteAsync("The Rcmd Api is unavailable right now; try the download again.", context.RequestAborted);
            return;
        }

        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString()
            ?? (format == "csv" ? "text/csv; charset=utf-8" : "application/json");
        if (response.IsSuccessStatusCode)
        {
            // The Api checked the id (letters, digits, '-', '_'): safe in a header.
            context.Response.Headers.ContentDisposition = response.Content.Headers.ContentDisposition?.ToString()
                ?? $"attachment; filename=\"batch-{id}-report.{format}\"";
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
