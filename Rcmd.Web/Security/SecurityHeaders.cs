namespace Rcmd.Web.Security;

/// <summary>
/// The headers every dashboard response carries. The CSP admits what Blazor Server and MudBlazor need and nothing else:
/// scripts and styles from the dashboard itself, MudBlazor's inline styles, the circuit's WebSocket, images as data:
/// URIs; no framing (<c>frame-ancestors 'none'</c> and <c>X-Frame-Options: DENY</c>), forms post only to the dashboard.
/// </summary>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        + "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        return next(context);
    });
}
