using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rcmd.Testing;

/// <summary>What a <see cref="TcpFaultProxy"/> does with the next connection.</summary>
public enum TcpFault
{
    /// <summary>Forwards bytes both ways to the upstream port: a healthy remote.</summary>
    Pass,

    /// <summary>Nothing listens on the port: "connection refused".</summary>
    Refuse,

    /// <summary>Answers every request <c>503 Service Unavailable</c>.</summary>
    ServiceUnavailable,

    /// <summary>Answers every request <c>429 Too Many Requests</c> with <c>Retry-After: 7</c>.</summary>
    TooManyRequests,

    /// <summary>Accepts the connection and never answers.</summary>
    Hang,
}

/// <summary>
/// A loopback TCP proxy in front of a real server (a <see cref="WebDavShare"/>) that a test switches between healthy
/// and broken (<see cref="TcpFault"/>), so rclone meets real refused connections, 503s, 429s and silence. Switching
/// the mode drops the connections open at that moment, so keep-alive connections cannot bypass the new mode.
/// </summary>
public sealed class TcpFaultProxy : IDisposable
{
    private readonly object _gate = new();
    private readonly ConcurrentDictionary<TcpClient, bool> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;
    private TcpFault _mode;
    private int _connections;

    public TcpFaultProxy(int upstreamPort, TcpFault mode = TcpFault.Pass)
    {
        UpstreamPort = upstreamPort;
        Port = FreePort.Next();
        Mode = mode;
    }

    public int Port { get; }

    public int UpstreamPort { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary>Connections accepted so far (a refused connection is never accepted).</summary>
    public int Connections => Volatile.Read(ref _connections);

    public TcpFault Mode
    {
        get => _mode;
        set
        {
            lock (_gate)
            {
                _mode = value;
                foreach (var client in _open.Keys)
                {
                    Close(client);
                }

                if (value == TcpFault.Refuse)
                {
                    _listener?.Stop();
                    _listener = null;
                }
                else if (_listener is null)
                {
                    _listener = new TcpListener(IPAddress.Loopback, Port);
                    _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                    _listener.Start();
                    _ = AcceptAsync(_listener);
                }
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        lock (_gate)
        {
            _listener?.Stop();
            _listener = null;
            foreach (var client in _open.Keys)
            {
                Close(client);
            }
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return; // stopped (Refuse, or disposed)
            }

            Interlocked.Increment(ref _connections);
            _open[client] = true;
            _ = ServeAsync(client, _mode);
        }
    }

    private async Task ServeAsync(TcpClient client, TcpFault mode)
    {
        try
        {
            switch (mode)
            {
                case TcpFault.Pass:
                    using (var upstream = new TcpClient())
                    {
                        await upstream.ConnectAsync(IPAddress.Loopback, UpstreamPort, _stop.Token).ConfigureAwait(false);
                        var down = client.GetStream();
                        var up = upstream.GetStream();
                        await Task.WhenAny(down.CopyToAsync(up, _stop.Token), up.CopyToAsync(down, _stop.Token)).ConfigureAwait(false);
                    }

                    break;
                case TcpFault.ServiceUnavailable:
                    await AnswerAsync(client, "503 Service Unavailable", string.Empty).ConfigureAwait(false);
                    break;
                case TcpFault.TooManyRequests:
                    await AnswerAsync(client, "429 Too Many Requests", "Retry-After: 7\r\n").ConfigureAwait(false);
                    break;
                case TcpFault.Hang:
                    await Task.Delay(Timeout.Infinite, _stop.Token).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            Close(client);
        }
    }

    /// <summary>Reads the request head, answers with <paramref name="status"/> and closes.</summary>
    private async Task AnswerAsync(TcpClient client, string status, string headers)
    {
        var stream = client.GetStream();
        var buffer = new byte[8192];
        var head = new StringBuilder();
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, _stop.Token).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var answer = $"HTTP/1.1 {status}\r\n{headers}Content-Length: 0\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), _stop.Token).ConfigureAwait(false);
    }

    private void Close(TcpClient client)
    {
        if (_open.TryRemove(client, out _))
        {
            client.Dispose();
        }
    }
}
