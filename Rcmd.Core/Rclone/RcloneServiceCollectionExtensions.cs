using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Rcmd.Rclone;

public static class RcloneServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="RcloneClient"/> with its options: <c>Rclone:*</c>, the URL from the Aspire service
    /// reference <c>services:rclone:http:0</c> when <c>Rclone:Url</c> is not set. Returns the client's builder so the
    /// caller can add its resilience handler. The factory's per-request logging handlers are left out: a batch makes
    /// thousands of rcd calls a second and their logging scope costs CPU on every one, while what matters (failures,
    /// retries) is logged by the client's callers and the resilience handler.
    /// </summary>
    public static IHttpClientBuilder AddRcloneClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RcloneOptions>()
            .Bind(configuration.GetSection(RcloneOptions.Section))
            .PostConfigure(o => o.Url ??= configuration["services:rclone:http:0"] is { Length: > 0 } url ? new Uri(url) : null)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return services.AddHttpClient<RcloneClient>().RemoveAllLoggers();
    }
}
