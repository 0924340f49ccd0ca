using System.Net.Sockets;
using System.Text;

namespace Rcmd.Testing;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port with AOF on in its own data directory. It can be stopped and
/// started again on the same port and directory, to test what survives a Redis restart.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly TempDirectory _data = new("redis");
    private ChildProcess? _process;

    public RedisServer()
    {
        Port = FreePort.Next();
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public string DataDirectory => _data.Path;

    public bool IsRunning => _process is { HasExited: false };

    public async Task StartAsync()
    {
        _process = ChildProcess.Start("redis-server",
        [
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--dir", _data.Path, "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
            "--protected-mode", "yes", "--daemonize", "no",
        ]);
        await Wait.UntilAsync(() => Task.FromResult(Ping()), TimeSpan.FromSeconds(15), $"redis-server on port {Port}", () => _process.Output)
            .ConfigureAwait(false);
    }

    /// <summary>SIGTERM: Redis flushes its AOF and exits, as on an ordinary restart.</summary>
    public void Stop() => _process?.Stop(TimeSpan.FromSeconds(10));

    /// <summary>Runs a redis-cli command against this server and returns its output.</summary>
    public string Cli(params string[] arguments)
    {
        using var cli = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("redis-cli",
            ["-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. arguments])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        var output = cli.StandardOutput.ReadToEnd();
        cli.WaitForExit();
        return output.Trim();
    }

    public void Dispose()
    {
        _process?.Dispose();
        _data.Dispose();
    }

    private bool Ping()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", Port);
            var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[64];
            var read = stream.Read(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
