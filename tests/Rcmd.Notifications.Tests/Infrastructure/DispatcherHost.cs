using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Notifications.Tests.Infrastructure;

/// <summary>
/// A host like a Worker's as far as notifications go: the storage services and the notification dispatcher, over a
/// real redis-server and a key prefix, with configuration given as flat keys. Every log line is kept (all levels).
/// </summary>
public sealed class DispatcherHost : IAsyncDisposable
{
    private DispatcherHost(IHost host, ConcurrentQueue<string> logs)
    {
        Host = host;
        Logs = logs;
    }

    public IHost Host { get; }

    /// <summary>Every log line: level, category, message, exception.</summary>
    public ConcurrentQueue<string> Logs { get; }

    public IServiceProvider Services => Host.Services;

    public NotificationDispatcher Dispatcher => Services.GetServices<IHostedService>().OfType<NotificationDispatcher>().Single();

    public static async Task<DispatcherHost> StartAsync(RedisFixture redis, string prefix, IDictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis.Server.ConnectionString,
            ["Rcmd:RedisPrefix"] = prefix,
            ["Notifications:PollInterval"] = "00:00:00.050",
            ["Notifications:RetryDelay"] = "00:00:00.020",
            ["Notifications:MaxRetryDelay"] = "00:00:00.100",
            ["Notifications:AttemptTimeout"] = "00:00:05",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        var logs = new ConcurrentQueue<string>();
        builder.Logging.AddProvider(new ListLoggerProvider(logs));
        builder.AddRcmdStorage();
        builder.Services.AddRcmdNotifications(builder.Configuration);
        var host = new DispatcherHost(builder.Build(), logs);
        await host.Host.StartAsync(TestTimeout.Token);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync(TimeSpan.FromSeconds(10));
        Host.Dispose();
    }

    /// <summary>Keeps every log line (category, level, formatted message, exception text).</summary>
    private sealed class ListLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
            }
        }
    }
}
