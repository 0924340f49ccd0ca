using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Rcmd.Testing;

namespace Rcmd.Worker.Tests.Infrastructure;

/// <summary>
/// A fault-injecting HTTP reverse proxy on a free loopback port (Kestrel), in front of a real server rclone talks to.
/// Each request takes the next scripted fault, if any — a status, a body, a <c>Retry-After</c> header — and is
/// forwarded untouched once the script is used up (or always answered with <see cref="FailAll"/>'s fault).
/// Loopback only, both ways.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer", "Host", "Content-Length",
    };

    private readonly ConcurrentQueue<Fault> _script = new();
    private readonly ConcurrentQueue<string> _log = new();
    private readonly HttpClient _forward = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
    private readonly Uri _target;
    private readonly WebApplication _app;
    private volatile Fault? _always;
    private int _requests;
    private int _faults;

    private FaultProxy(Uri target, int port)
    {
        _target = target;
        Port = port;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    /// <summary>What the proxy answers instead of forwarding.</summary>
    public sealed record Fault(int Status, string Body = "injected fault", string? RetryAfter = null);

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>Requests seen so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Requests answered with a fault so far.</summary>
    public int Faults => Volatile.Read(ref _faults);

    /// <summary>One line per request: its number, method, path and what was answered.</summary>
    public string Log => string.Join('\n', _log);

    public static async Task<FaultProxy> StartAsync(Uri target)
    {
        var proxy = new FaultProxy(target, FreePort.Next());
        await proxy._app.StartAsync().ConfigureAwait(false);
        return proxy;
    }

    /// <summary>The next requests get these faults, one each, in order; later requests are forwarded.</summary>
    public void FailNext(params Fault[] faults)
    {
        foreach (var fault in faults)
        {
            _script.Enqueue(fault);
        }
    }

    /// <summary>Every request gets <paramref name="fault"/> until <see cref="Reset"/>.</summary>
    public void FailAll(Fault fault) => _always = fault;

    /// <summary>Forward everything again, and forget the script.</summary>
    public void Reset()
    {
        _always = null;
        _script.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _forward.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var number = Interlocked.Increment(ref _requests);
        var request = context.Request;
        var fault = _always ?? (_script.TryDequeue(out var next) ? next : null);
        if (fault is not null)
        {
            Interlocked.Increment(ref _faults);
            _log.Enqueue($"#{number} {request.Method} {request.Path} -> {fault.Status} (injected)");
            context.Response.StatusCode = fault.Status;
            if (fault.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }

            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(fault.Body, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_target, request.Path + request.QueryString));
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            forward.Content = new StreamContent(request.Body);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (HopByHop.Contains(name))
            {
                continue;
            }

            if (!forward.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values) && forward.Content is not null)
            {
                forward.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using var response = await _forward.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted).ConfigureAwait(false);
        _log.Enqueue($"#{number} {request.Method} {request.Path} -> {(int)response.StatusCode}");
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        if (response.Content.Headers.ContentLength is { } length)
        {
            context.Response.ContentLength = length;
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
