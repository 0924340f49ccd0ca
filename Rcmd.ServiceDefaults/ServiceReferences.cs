using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Aspire's service references without Aspire's service-discovery package: the AppHost sets
/// <c>services__{name}__{scheme}__0</c> and a service resolves another's base address with <see cref="Resolve"/>.
/// </summary>
public static class ServiceReferences
{

    /// <summary>The base address of service <paramref name="name"/> (https preferred), or null when none is configured.</summary>
    public static Uri? Resolve(IConfiguration configuration, string name)
    {
        foreach (var scheme in new[] { "https", "http" })
        {
            if (configuration[$"services:{name}:{scheme}:0"] is { Length: > 0 } url)
            {
                return new Uri(url.EndsWith('/') ? url : url + "/");
            }
        }

        return null;
    }
}
