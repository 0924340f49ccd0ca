using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Rcmd.Rclone;

public static class RcloneServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="RcloneClient"/> with its options (<c>Rclone:*</c>) behind the standard resilience handler as
    /// rcd needs it (<see cref="RcloneResilience"/>, <c>Rclone:Resilience:*</c>). The factory's per-request logging
    /// handlers are left out: a batch makes thousands of rcd calls a second and their logging scope costs CPU on every
    /// one, while what matters (failures, retries) is logged by the client's callers and the resilience handler.
    /// </summary>
    public static IHttpClientBuilder AddRcloneClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RcloneOptions>()
            .Bind(configuration.GetSection(RcloneOptions.Section))
            .PostConfigure(o =>
            {
                if (string.IsNullOrEmpty(o.Password) && !string.IsNullOrEmpty(o.PasswordFile))
                {
                    o.Password = ReadPassword(o.PasswordFile);
                }
            })
            .Validate(o => o.Url.IsAbsoluteUri, "Rclone:Url must be an absolute URL, e.g. http://127.0.0.1:5572/")
            .ValidateOnStart();
        return services.AddHttpClient<RcloneClient>().RemoveAllLoggers().AddRcloneResilience(configuration);
    }

    private static string ReadPassword(string path)
    {
        try
        {
            using var reader = File.OpenText(path);
            return reader.ReadLine()?.Trim() ?? string.Empty;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The path only: the message of an I/O error never carries the file's content.
            throw new InvalidOperationException($"Rclone:PasswordFile '{path}' cannot be read: {e.GetType().Name}", e);
        }
    }
}
