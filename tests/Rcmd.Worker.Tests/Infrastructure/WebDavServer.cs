using System.Net.Sockets;
using Rcmd.Testing;

namespace Rcmd.Worker.Tests.Infrastructure;

/// <summary>A real <c>rclone serve webdav</c> of a directory on a free loopback port, without credentials.</summary>
public sealed class WebDavServer : IDisposable
{
    private ChildProcess? _process;

    public WebDavServer(string root)
    {
        Root = root;
        Port = FreePort.Next();
    }

    public string Root { get; }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    public string Output => _process?.Output ?? string.Empty;

    public async Task StartAsync()
    {
        Directory.CreateDirectory(Root);
        var config = Root.TrimEnd('/') + ".rclone.conf";
        await File.WriteAllTextAsync(config, string.Empty).ConfigureAwait(false);
        _process = ChildProcess.Start("rclone",
        [
            "serve", "webdav", Root, "--addr", $"127.0.0.1:{Port}", "--config", config, "--log-level", "NOTICE",
        ], new Dictionary<string, string?> { ["RCLONE_CONFIG_PASS"] = null });
        await Wait.UntilAsync(() =>
        {
            try
            {
                using var client = new TcpClient();
                client.Connect("127.0.0.1", Port);
                return Task.FromResult(true);
            }
            catch (SocketException)
            {
                return Task.FromResult(false);
            }
        }, TimeSpan.FromSeconds(20), $"rclone serve webdav on port {Port}", () => Output).ConfigureAwait(false);
    }

    public void Dispose() => _process?.Dispose();
}
