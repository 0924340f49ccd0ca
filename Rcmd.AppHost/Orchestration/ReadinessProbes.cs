using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Rcmd.AppHost.Orchestration;

/// <summary>Answers whether a started process is ready for traffic; every probe talks to 127.0.0.1 only.</summary>
internal interface IReadinessProbe
{
    /// <summary>What is probed, for messages (e.g. <c>GET http://127.0.0.1:5080/health</c>); never contains a secret.</summary>
    string Description { get; }

    /// <summary>Null when ready, otherwise why not (e.g. <c>503</c>, <c>connection refused</c>).</summary>
    Task<string?> CheckAsync(CancellationToken cancellationToken);
}

/// <summary>Redis is ready when it answers <c>PING</c> with <c>+PONG</c>.</summary>
internal sealed class RedisPingProbe(int port) : IReadinessProbe
{
    public string Description => $"PING to redis on 127.0.0.1:{port}";

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            var answer = Encoding.ASCII.GetString(buffer, 0, read);
            return answer.StartsWith("+PONG", StringComparison.Ordinal) ? null : $"answered {answer.Trim()}";
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode.ToString();
        }
        catch (IOException e)
        {
            return e.Message;
        }
    }
}

/// <summary>
/// rcd is ready when <c>POST rc/noop</c> with its credentials answers 200. The body is JSON with the content type
/// exactly <c>application/json</c> — rclone ignores a body with any other (even <c>; charset=utf-8</c>).
/// </summary>
internal sealed class RcloneNoopProbe(HttpClient http, string baseUrl, string user, string password) : IReadinessProbe
{
    public string Description => $"POST {baseUrl}rc/noop";

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(baseUrl), "rc/noop"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        request.Content = new ByteArrayContent("{}"u8.ToArray());
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await HttpProbe.SendAsync(http, request, cancellationToken);
    }
}

/// <summary>A project is ready when <c>GET /health</c> answers 200.</summary>
internal sealed class HttpHealthProbe(HttpClient http, string url) : IReadinessProbe
{
    public string Description => $"GET {url}";

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        return await HttpProbe.SendAsync(http, request, cancellationToken);
    }
}

internal static class HttpProbe
{
    /// <summary>The client probes use: no proxy (an <c>http_proxy</c> variable must not reroute loopback), short timeout.</summary>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
    {
        Timeout = OrchestrationConstants.ProbeTimeout,
    };

    public static async Task<string?> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode ? null : $"answered {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (HttpRequestException e)
        {
            return e.HttpRequestError == HttpRequestError.ConnectionError ? "connection refused" : e.Message;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {OrchestrationConstants.ProbeTimeout.TotalSeconds:0} s";
        }
    }
}
