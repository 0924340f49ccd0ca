using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Rcmd.Testing;

namespace Rcmd.Notifications.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on a free loopback port (Kestrel) that records every request and answers with the status
/// <see cref="StatusFor"/> gives for the n-th call (1-based): a webhook receiver, or a fake Telegram Bot API.
/// </summary>
public sealed class HttpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;

    private HttpReceiver(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>The status of the n-th call (1-based); 200 by default.</summary>
    public Func<int, int> StatusFor { get; set; } = _ => 200;

    /// <summary>The body of non-2xx answers (Telegram's <c>{"ok":false,"description":…}</c>).</summary>
    public string ErrorBody { get; set; } = "{\"ok\":false,\"description\":\"Internal Server Error\"}";

    public int Calls => Volatile.Read(ref _calls);

    public static async Task<HttpReceiver> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new HttpReceiver(app, new Uri($"http://127.0.0.1:{port}/"));
        app.Run(receiver.HandleAsync);
        await app.StartAsync(TestTimeout.Token);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var call = Interlocked.Increment(ref _calls);
        var status = StatusFor(call);
        Requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body.ToArray(), status));
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(status is >= 200 and < 300 ? "{\"ok\":true,\"result\":{}}" : ErrorBody);
    }
}

public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, int Status)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);
}
