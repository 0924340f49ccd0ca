using System.Security.Claims;
using Microsoft.Extensions.Options;
using Rcmd.Api.Security;

namespace Rcmd.Api.Audit;

/// <summary>
/// Appends every mutation — a request with a method other than GET, HEAD or OPTIONS that reached an endpoint (hub
/// traffic aside) — to the <see cref="AuditLog"/> once it is answered, refused ones included. The action is the endpoint's
/// name; the target is what the handler named (<see cref="SetTarget"/>), the route's <c>id</c>/<c>name</c>, or the id
/// of what a 201 created. Registered before authorization, so refused calls are recorded (outcome <c>denied</c>). An
/// audit write is issued before the answer and not awaited; one that fails is logged and never fails the request.
/// </summary>
internal sealed partial class AuditMiddleware(
    RequestDelegate next, AuditLog audit, IOptions<AuthOptions> options, ConfiguredApiKeys configuredKeys, ILogger<AuditMiddleware> logger)
{
    private const string TargetItem = "rcmd.audit.target";
    private const string CallerItem = "rcmd.audit.caller";
    private const string AddressItem = "rcmd.audit.address";

    /// <summary>Names the target of the request's action for the audit entry (a new key's id, a user name).</summary>
    public static void SetTarget(HttpContext context, string target) => context.Items[TargetItem] = target;

    /// <summary>Names who acted when the request itself was anonymous (a sign-in that succeeded).</summary>
    public static void SetCaller(HttpContext context, string user, string role) => context.Items[CallerItem] = (user, role);

    /// <summary>The address to record instead of the connection's (the browser behind the dashboard, as the dashboard names it).</summary>
    public static void SetAddress(HttpContext context, string address) => context.Items[AddressItem] = address;

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var threw = true;
        try
        {
            await next(context);
            threw = false;
        }
        finally
        {
            if (IsMutation(context))
            {
                // An exception is answered by the error handler further out, after this runs: record it as a 500.
                Append(context, threw ? StatusCodes.Status500InternalServerError : context.Response.StatusCode);
            }
        }
    }

    private static bool IsMutation(HttpContext context) =>
        !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsOptions(context.Request.Method)
        && context.GetEndpoint() is RouteEndpoint
        && !context.Request.Path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase);

    private void Append(HttpContext context, int status)
    {
        var endpoint = (RouteEndpoint)context.GetEndpoint()!;
        var action = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName
            ?? $"{context.Request.Method} {endpoint.RoutePattern.RawText}";
        var target = context.Items[TargetItem] as string
            ?? (context.GetRouteValue("id") ?? context.GetRouteValue("name"))?.ToString()
            ?? CreatedId(context.Response, status);
        var outcome = status switch
        {
            < 400 => "succeeded",
            StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden => "denied",
            _ => "failed",
        };
        var signedIn = context.User.Identity?.IsAuthenticated == true;
        var local = !signedIn && RoleAuthorization.AdmitsEveryone(options.Value, configuredKeys);
        var user = signedIn ? context.User.Identity!.Name ?? "?" : local ? "local" : "anonymous";
        var role = context.User.FindFirstValue(Roles.ClaimType) ?? (local ? Roles.Admin : "none");
        if (context.Items[CallerItem] is (string caller, string callerRole))
        {
            (user, role) = (caller, callerRole);
        }

        var address = context.Items[AddressItem] as string ?? context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        // Not awaited: the XADD is issued now (the connection keeps commands in order, so a later read sees it), but a
        // Redis that is down must not hold the answer for the backlog's timeout.
        _ = audit.AppendAsync(user, role, action, target, outcome, status, address, CancellationToken.None).ContinueWith(
            (write, state) => LogAuditFailed(logger, (string)state!, write.Exception?.GetBaseException().GetType().Name ?? "?"),
            action, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>The id at the end of a 201's <c>Location</c> (a new job, batch or schedule).</summary>
    private static string? CreatedId(HttpResponse response, int status) =>
        status == StatusCodes.Status201Created && response.Headers.Location.ToString() is { Length: > 0 } location
            ? location[(location.LastIndexOf('/') + 1)..]
            : null;

    [LoggerMessage(EventId = 1111, Level = LogLevel.Warning, Message = "Audit entry for {Action} could not be written ({ExceptionType})")]
    private static partial void LogAuditFailed(ILogger logger, string action, string exceptionType);
}
