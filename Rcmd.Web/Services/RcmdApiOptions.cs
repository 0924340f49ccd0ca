using System.ComponentModel.DataAnnotations;

namespace Rcmd.Web.Services;

/// <summary>Where the Rcmd Api is and how to call it. The Web server reaches Rcmd only through the Api.</summary>
public sealed class RcmdApiOptions
{
    /// <summary>
    /// Base address of Rcmd.Api. Read from <c>services:api:http:0</c> (or <c>https</c>), the variable the AppHost sets
    /// (<c>services__api__http__0</c>). Required.
    /// </summary>
    [Required(ErrorMessage = "The Api's address is not configured: set services__api__http__0 (e.g. http://127.0.0.1:5080).")]
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// The Api's concrete address for the SignalR client, which does not go through IHttpClientFactory and so not through
    /// service discovery: <c>services:api:http:0</c> as given. Null: <see cref="BaseAddress"/>.
    /// </summary>
    public Uri? HubAddress { get; set; }

    /// <summary>
    /// Sent as <c>X-Api-Key</c> on every Api call when set — for local mode with keys on the Api (<c>Rcmd:ApiKeys</c>).
    /// In server mode the dashboard sends each signed-in user's session instead, and this is ignored. Read from
    /// <c>Rcmd:ApiKey</c>. Default: none.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one Api call may take before it counts as "Api unreachable". Default 15 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = RcmdApiConstants.DefaultTimeout;
}

internal static class RcmdApiConstants
{
    public const string ApiKeyHeader = "X-Api-Key";
    public const string ApiKeyConfigKey = "Rcmd:ApiKey";
    public const string ServiceName = "api";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);
}

/// <summary>Adds <c>X-Api-Key</c> to every request when a key is configured and the request carries no user's session.</summary>
internal sealed class ApiKeyHandler(Microsoft.Extensions.Options.IOptions<RcmdApiOptions> options) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (options.Value.ApiKey is { Length: > 0 } key && !request.Headers.Contains(RcmdApiConstants.ApiKeyHeader)
            && request.Headers.Authorization is null)
        {
            request.Headers.Add(RcmdApiConstants.ApiKeyHeader, key);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
