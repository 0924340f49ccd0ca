using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Rcmd.AppHost.Tests.Support;
using Rcmd.Testing;

namespace Rcmd.AppHost.Tests;

/// <summary>
/// The whole AppHost as a user runs it: <c>dotnet Rcmd.AppHost.dll --data-dir … --web-port …</c> starts redis-server,
/// rclone rcd, api, worker ×2 and web; every one answers; a killed worker comes back; SIGTERM stops them all.
/// </summary>
public sealed class AppHostTests : IDisposable
{
    private static readonly string[] Names = ["redis", "rclone", "api", "worker-1", "worker-2", "web"];
    private readonly TempDirectory _directory = new("apphost");

    [Fact]
    public async Task Run_WholeSystem_StartsEverythingWiredAndStopsWithoutOrphans()
    {
        var data = _directory.Combine("data");
        var webPort = FreePort.Next();
        var rcloneConfig = _directory.Combine("rclone.conf");
        await File.WriteAllTextAsync(rcloneConfig, "");
        using var host = AppHostProcess.Start(["--data-dir", data, "--web-port", webPort.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Dictionary<string, string?> { ["RCLONE_CONFIG"] = rcloneConfig });

        await Wait.UntilAsync(() => Task.FromResult(host.StandardOutput.Contains("all resources are running", StringComparison.Ordinal) || host.HasExited),
            TimeSpan.FromSeconds(100), "the AppHost's URL table", () => host.Output);
        Assert.False(host.HasExited, host.Output);

        // One table, with every resource, its pid and URL; the web row points at the requested port.
        var table = Table(host.StandardOutput);
        Assert.Equal(Names.Order(), table.Keys.Order());
        Assert.Equal($"http://127.0.0.1:{webPort}", table["web"].Url);
        Assert.Single(host.StandardOutput.Split('\n'), l => l.TrimStart().StartsWith("NAME ", StringComparison.Ordinal));
        var endpoints = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(data, "endpoints.json"))).RootElement;
        Assert.Equal(table["api"].Url, endpoints.GetProperty("api").GetString());

        // Every child is the AppHost's, and every one answers.
        var children = Processes.DescendantsOf(host.Id);
        Assert.All(table.Values, row => Assert.Contains(row.Pid, children));
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var name in new[] { "api", "worker-1", "worker-2", "web" })
        {
            using var health = await http.GetAsync(new Uri(table[name].Url + "/health"));
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        Assert.Equal("+PONG", Ping(new Uri(table["redis"].Url).Port));
        using (var anonymous = await http.PostAsync(new Uri(new Uri(table["rclone"].Url), "rc/noop"), Json("{}")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        // The services are wired with Aspire's variables; the rcd password is only in environments, never printed.
        var rclonePid = table["rclone"].Pid;
        var password = Processes.Environment(rclonePid)["RCLONE_RC_PASS"];
        Assert.Matches("^[0-9a-f]{32}$", password);
        Assert.DoesNotContain(Processes.CommandLine(rclonePid), a => a.Contains(password, StringComparison.Ordinal) || a == "--rc-no-auth");
        var api = Processes.Environment(table["api"].Pid);
        Assert.Equal(endpoints.GetProperty("redis").GetString(), api["ConnectionStrings__redis"]);
        Assert.Equal(table["rclone"].Url, api["services__rclone__http__0"]);
        Assert.Equal(password, api["Rclone__Password"]);
        Assert.Equal("api", api["OTEL_SERVICE_NAME"]);
        Assert.Equal("worker-2", Processes.Environment(table["worker-2"].Pid)["Worker__WorkerId"]);
        Assert.Equal(table["api"].Url, Processes.Environment(table["web"].Pid)["services__api__http__0"]);
        Assert.Matches(@"(?m)^api +\| ", host.StandardOutput);
        Assert.Matches(@"(?m)^worker-1 \| ", host.StandardOutput);

        // A child that dies is restarted.
        Assert.True(NativeKill(table["worker-1"].Pid));
        await Wait.UntilAsync(() => Task.FromResult(host.StandardOutput.Contains("worker-1 is ready again", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), "worker-1 to be restarted", () => host.Output);
        Assert.Contains("worker-1 exited unexpectedly (exit code 137) — restarting it in 1 s", host.StandardOutput, StringComparison.Ordinal);
        var everyPid = Processes.DescendantsOf(host.Id).Union(table.Values.Select(r => r.Pid)).ToList();

        // SIGTERM: projects stop first, then rclone and Redis (which flushes its AOF); nothing is left behind.
        host.Signal("TERM");
        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(40)), "The AppHost did not stop:\n" + host.Output);
        Assert.Equal(0, host.ExitCode);
        Assert.DoesNotContain(everyPid, Processes.IsAlive);
        Assert.Empty(Processes.Pgrep(data));
        Assert.Empty(Processes.Pgrep($"127.0.0.1:{new Uri(table["rclone"].Url).Port}"));
        Assert.DoesNotContain(password, host.Output, StringComparison.Ordinal);
        var stopLines = host.StandardOutput.Split('\n').Where(l => l.StartsWith("rcmd: stopped ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["rcmd: stopped web", "rcmd: stopped api, worker-1, worker-2", "rcmd: stopped redis, rclone"], stopLines.Select(l => l[..l.LastIndexOf(" in ", StringComparison.Ordinal)]));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(data, "redis", "appendonlydir")));
        Assert.False(File.Exists(Path.Combine(data, "endpoints.json")));
    }

    public void Dispose() => _directory.Dispose();

    private static Dictionary<string, (int Pid, string Url)> Table(string output)
    {
        var rows = new Dictionary<string, (int, string)>();
        foreach (var line in output.Split('\n'))
        {
            var cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (line.StartsWith("  ", StringComparison.Ordinal) && cells.Length >= 4 && Names.Contains(cells[0]))
            {
                var pidIndex = Array.FindIndex(cells, 1, c => c.All(char.IsAsciiDigit));
                rows[cells[0]] = (int.Parse(cells[pidIndex], System.Globalization.CultureInfo.InvariantCulture), cells[pidIndex + 1]);
            }
        }

        return rows;
    }

    private static StringContent Json(string body)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    private static string Ping(int port)
    {
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, port);
        var stream = client.GetStream();
        stream.Write("PING\r\n"u8);
        var buffer = new byte[16];
        return Encoding.ASCII.GetString(buffer, 0, stream.Read(buffer)).Trim();
    }

    private static bool NativeKill(int pid)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        return kill.ExitCode == 0;
    }
}
