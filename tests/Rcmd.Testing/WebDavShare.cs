using System.Net;
using System.Net.Sockets;

namespace Rcmd.Testing;

/// <summary>
/// A real <c>rclone serve webdav</c> over a scratch directory on a free loopback port: a remote rclone really talks
/// to over HTTP, healthy unless a <see cref="TcpFaultProxy"/> in front of it says otherwise.
/// </summary>
public sealed class WebDavShare : IDisposable
{
    private readonly TempDirectory _root = new("webdav");
    private ChildProcess? _process;

    public int Port { get; } = FreePort.Next();

    /// <summary>The directory served: files written here are the remote's files.</summary>
    public string Root => _root.Path;

    public string Output => _process?.Output ?? string.Empty;

    public async Task StartAsync()
    {
        _process = ChildProcess.Start("rclone",
        [
            "serve", "webdav", _root.Path, "--addr", $"127.0.0.1:{Port}", "--config", "/dev/null", "--log-level", "NOTICE",
        ]);
        await Wait.UntilAsync(() => Task.FromResult(Listening()), TimeSpan.FromSeconds(20), $"rclone serve webdav on port {Port}", () => Output)
            .ConfigureAwait(false);
    }

    /// <summary>Writes a file of <paramref name="size"/> bytes under the served directory.</summary>
    public string AddFile(string relativePath, int size = 1024)
    {
        var path = Path.Combine(_root.Path, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = new byte[size];
        new Random(relativePath.GetHashCode(StringComparison.Ordinal)).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        _process?.Dispose();
        _root.Dispose();
    }

    private bool Listening()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
