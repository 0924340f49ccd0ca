using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Infrastructure;

/// <summary>
/// The real Api in memory (TestServer) against a real redis-server and rclone rcd. Each factory gets its own Redis
/// key prefix, so tests sharing one redis-server never see each other's jobs.
/// </summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    private ApiFactory(Dictionary<string, string?> settings, Action<IServiceCollection>? services)
    {
        _settings = settings;
        _services = services;
    }

    public string Prefix => _settings["Rcmd:RedisPrefix"]!;

    public static ApiFactory Create(RedisServer redis, RcloneServer rclone, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null) =>
        Create(redis.ConnectionString, rclone.Url, rclone, settings, services);

    public static ApiFactory Create(string redisConnectionString, Uri rcloneUrl, RcloneServer rclone,
        IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectionStrings:redis"] = redisConnectionString,
            ["Rcmd:RedisPrefix"] = "t" + Guid.NewGuid().ToString("N")[..12],
            ["services:rclone:http:0"] = rcloneUrl.ToString(),
            ["Rclone:User"] = rclone.User,
            ["Rclone:Password"] = rclone.Password,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return new ApiFactory(all, services);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }
}
