using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rcmd.Failures;
using Rcmd.Notifications;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Bench;

/// <summary>
/// Issue 6's figures. (1) Fan-out: N job events (default 1,000) written to the notifications stream, delivered by two
/// dispatchers (two Workers) to three loopback receivers — a webhook, a fake Telegram Bot API and an SMTP sink —
/// timed from the first write to the last delivery, with the receivers' ids checked for loss and duplicates.
/// (2) <c>GET /metrics</c> of a host with 16 error codes × 5 types × 3 statuses of <c>jobs_completed_total</c> and
/// <c>jobs_duration_ms</c> series (target ≤ 20 ms).
/// </summary>
public static partial class NotificationsBench
{
    [System.Text.RegularExpressions.GeneratedRegex("job <code>([^<]+)</code>")]
    private static partial System.Text.RegularExpressions.Regex JobIdInText();

    public static async Task RunAsync(BenchOptions options)
    {
        await FanOutAsync(options.Jobs);
        Console.WriteLine();
        await ScrapeAsync();
    }

    private static async Task FanOutAsync(int events)
    {
        using var redis = new RedisServer();
        await redis.StartAsync();
        var prefix = "bench" + Guid.NewGuid().ToString("N")[..8];
        await using var webhook = await Receiver.StartAsync();
        await using var telegram = await Receiver.StartAsync();
        using var smtp = new SmtpSink();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["Rcmd:RedisPrefix"] = prefix,
            ["Notifications:PollInterval"] = "00:00:00.050",
            ["Notifications:Channels:0:Name"] = "hook",
            ["Notifications:Channels:0:Type"] = "webhook",
            ["Notifications:Channels:0:Url"] = webhook.Url.ToString(),
            ["Notifications:Channels:0:SigningSecret"] = "bench-key",
            ["Notifications:Channels:1:Name"] = "tg",
            ["Notifications:Channels:1:Type"] = "telegram",
            ["Notifications:Channels:1:BotToken"] = "1:bench",
            ["Notifications:Channels:1:ChatId"] = "1",
            ["Notifications:Channels:1:ApiBaseUrl"] = telegram.Url.ToString(),
            ["Notifications:Channels:1:Events:0"] = "*",
            ["Notifications:Channels:2:Name"] = "mail",
            ["Notifications:Channels:2:Type"] = "email",
            ["Notifications:Channels:2:Host"] = "127.0.0.1",
            ["Notifications:Channels:2:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Notifications:Channels:2:Security"] = "None",
            ["Notifications:Channels:2:From"] = "rcmd@bench.test",
            ["Notifications:Channels:2:To:0"] = "ops@bench.test",
            ["Notifications:Channels:2:Events:0"] = "*",
        };
        using var first = await StartDispatcherAsync(settings);
        using var second = await StartDispatcherAsync(settings);
        using var connection = new RedisConnection(redis.ConnectionString, new RedisKeys(prefix));
        var stream = new NotificationStream(connection);

        // All events at once (pipelined on the one connection), as a burst of job completions would come.
        var payloads = Enumerable.Range(0, events).Select(i => JsonSerializer.Serialize(new { jobId = $"j{i}", type = "copy", source = "/data/in",
            destination = "s3:b/out", remote = "local", state = "failed", attempt = 3, durationMs = 61000, errorCode = ErrorCodes.NetworkError,
            error = "connection reset by peer" })).ToArray();
        var watch = Stopwatch.StartNew();
        var ids = (await Task.WhenAll(payloads.Select((data, i) => stream.AddAsync(i % 2 == 0 ? NotificationTypes.JobFailed : NotificationTypes.JobCompleted,
            DateTimeOffset.UtcNow, data, CancellationToken.None)))).ToList();

        var written = watch.Elapsed;
        var deadline = Stopwatch.StartNew();
        while ((webhook.Ids.Count < events || telegram.Ids.Count < events || smtp.Ids.Count < events) && deadline.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(5);
        }

        var delivered = watch.Elapsed;
        await Task.Delay(500); // late duplicates would show now
        var jobIds = Enumerable.Range(0, events).Select(i => $"j{i}").ToList();
        Console.WriteLine($"notification fan-out: {events} events × 3 channels (webhook, Telegram, email), 2 dispatchers; " +
            $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores");
        Console.WriteLine($"  written to the stream in {written.TotalMilliseconds:0} ms; all delivered after {delivered.TotalMilliseconds:0} ms " +
            $"({3 * events / delivered.TotalSeconds:0} deliveries/s)");
        foreach (var (name, received, expected) in new[] { ("webhook", webhook.Ids, jobIds), ("telegram", telegram.Ids, jobIds), ("email", smtp.Ids, ids) })
        {
            var list = received.ToList();
            var set = list.ToHashSet();
            var lost = expected.Count(id => !set.Contains(id));
            var duplicates = list.Count - list.Distinct().Count();
            Console.WriteLine($"  {name,-9} received {list.Count,5}  lost {lost}  duplicates {duplicates}");
        }

        Console.WriteLine($"  retried attempts (timeouts or errors): {RetryCounter.Retries}; dead letters: {await new NotificationDeadLetters(connection).CountAsync(CancellationToken.None)}");
        foreach (var reason in RetryCounter.Reasons.GroupBy(r => r).OrderByDescending(g => g.Count()).Take(3))
        {
            Console.WriteLine($"    {reason.Count()} × {reason.Key}");
        }
    }

    private static async Task<DispatcherProcess> StartDispatcherAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(RetryCounter);
        builder.AddRcmdStorage();
        builder.Services.AddRcmdNotifications(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        return new DispatcherProcess(host);
    }

    private static async Task ScrapeAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.AddServiceDefaults();
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();

        // The series a busy system has: every error code, every type, every final status.
        var meter = app.Services.GetRequiredService<IMeterFactory>().Create("Rcmd");
        var completed = meter.CreateCounter<long>("jobs_completed_total");
        var duration = meter.CreateHistogram("jobs_duration_ms", null, null, null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = Rcmd.Telemetry.JobMetrics.DurationBuckets });
        var started = meter.CreateCounter<long>("jobs_started_total");
        var retried = meter.CreateCounter<long>("jobs_retried_total");
        string[] types = ["copy", "sync", "move", "copyfile", "movefile"];
        string[] statuses = ["succeeded", "failed", "canceled"];
        var random = new Random(6);
        foreach (var type in types)
        {
            started.Add(100, new KeyValuePair<string, object?>("type", type));
            retried.Add(10, new KeyValuePair<string, object?>("type", type));
            foreach (var status in statuses)
            {
                foreach (var code in ErrorCodes.All)
                {
                    KeyValuePair<string, object?>[] tags = [new("type", type), new("status", status), new("error_code", code)];
                    completed.Add(random.Next(1, 1000), tags);
                    for (var i = 0; i < 5; i++)
                    {
                        duration.Record(random.Next(10, 3_600_000), tags);
                    }
                }
            }
        }

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        for (var i = 0; i < 20; i++)
        {
            await http.GetStringAsync("metrics"); // warm up (JIT, connection)
        }

        var times = new List<double>();
        var size = 0;
        var lines = 0;
        for (var i = 0; i < 200; i++)
        {
            var watch = Stopwatch.StartNew();
            var text = await http.GetStringAsync("metrics");
            times.Add(watch.Elapsed.TotalMilliseconds);
            size = text.Length;
            lines = text.Count(c => c == '\n');
        }

        times.Sort();
        Console.WriteLine($"/metrics scrape: {types.Length} types × {statuses.Length} statuses × {ErrorCodes.All.Count} error codes = " +
            $"{types.Length * statuses.Length * ErrorCodes.All.Count} series each of jobs_completed_total and jobs_duration_ms " +
            $"({Rcmd.Telemetry.JobMetrics.DurationBuckets.Count + 1} buckets), plus ASP.NET Core / runtime meters");
        Console.WriteLine($"  body {size / 1024.0:0} KiB, {lines} lines; over HTTP, 200 scrapes: median {times[times.Count / 2]:0.00} ms, " +
            $"p95 {times[(int)(times.Count * 0.95)]:0.00} ms, max {times[^1]:0.00} ms (target ≤ 20 ms)");
    }

    private static readonly RetryLogCounter RetryCounter = new();

    /// <summary>Counts the dispatcher's "Retrying …" log lines (event 6006): each is an attempt that will be made again.</summary>
    private sealed class RetryLogCounter : ILoggerProvider, ILogger
    {
        private int _retries;

        public int Retries => Volatile.Read(ref _retries);

        public ConcurrentBag<string> Reasons { get; } = [];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == 6006)
            {
                Interlocked.Increment(ref _retries);
                var text = formatter(state, exception);
                Reasons.Add(text[(text.IndexOf("): ", StringComparison.Ordinal) + 3)..]);
            }
        }

        public void Dispose()
        {
        }
    }

    private sealed class DispatcherProcess(IHost host) : IDisposable
    {
        public void Dispose()
        {
            host.StopAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            host.Dispose();
        }
    }

    /// <summary>A loopback HTTP receiver that keeps the job id of each notification (the webhook's data, the Telegram text).</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private Receiver(WebApplication app, Uri url)
        {
            _app = app;
            Url = url;
        }

        public Uri Url { get; }

        public ConcurrentBag<string> Ids { get; } = [];

        public static async Task<Receiver> StartAsync()
        {
            var port = FreePort.Next();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            var app = builder.Build();
            var receiver = new Receiver(app, new Uri($"http://127.0.0.1:{port}/"));
            app.Run(async context =>
            {
                using var body = await JsonDocument.ParseAsync(context.Request.Body);
                var root = body.RootElement;
                receiver.Ids.Add(root.TryGetProperty("data", out var data) ? data.GetProperty("jobId").GetString()!
                    : JobIdInText().Match(root.GetProperty("text").GetString()!).Groups[1].Value);
                await context.Response.WriteAsync("{\"ok\":true}");
            });
            await app.StartAsync();
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>Just enough SMTP to accept messages; keeps each message's X-Rcmd-Id header.</summary>
    private sealed class SmtpSink : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();

        public SmtpSink()
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                        _ = Task.Run(() => ServeAsync(client));
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                    {
                        return;
                    }
                }
            });
        }

        public int Port { get; }

        public ConcurrentBag<string> Ids { get; } = [];

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var _ = client;
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 bench ESMTP");
                while (await reader.ReadLineAsync() is { } line)
                {
                    var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                    if (verb == "DATA")
                    {
                        await writer.WriteLineAsync("354 go on");
                        string? id = null;
                        while (await reader.ReadLineAsync() is { } data && data != ".")
                        {
                            if (data.StartsWith("X-Rcmd-Id:", StringComparison.OrdinalIgnoreCase))
                            {
                                id = data[10..].Trim();
                            }
                        }

                        Ids.Add(id ?? "?");
                        await writer.WriteLineAsync("250 queued");
                    }
                    else if (verb == "QUIT")
                    {
                        await writer.WriteLineAsync("221 bye");
                        return;
                    }
                    else
                    {
                        await writer.WriteLineAsync(verb == "EHLO" ? "250 bench" : "250 OK");
                    }
                }
            }
            catch (IOException)
            {
            }
        }
    }
}
