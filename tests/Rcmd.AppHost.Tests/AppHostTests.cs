using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Rcmd.AppHost.Tests.Support;
using Rcmd.Testing;

namespace Rcmd.AppHost.Tests;

/// <summary>
/// The whole AppHost. With Aspire's test host (<see cref="RcmdSystem"/>): every resource comes up wired the Aspire way, the
/// rcd password is in no environment and no output, a killed Worker or rcd comes back by itself. As a user runs it
/// (<c>dotnet Rcmd.AppHost.dll</c>): it prints the Aspire dashboard's login link and Rcmd's URLs, and SIGTERM stops DCP,
/// the dashboard, the services, redis-server and rcd with nothing left behind.
/// </summary>
public sealed class AppHostTests : IDisposable
{
    private readonly TempDirectory _directory = new("apphost");

    [Fact]
    public async Task TestHost_WholeSystem_WiredTheAspireWay_PasswordNowhere_CrashedProcessesComeBack()
    {
        var data = _directory.Combine("data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "rclone.conf"), "");
        await using var rcmd = new RcmdSystem(data);
        await rcmd.StartAsync(FreePort.Next(), "--workers", "2");

        var endpoints = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(data, "endpoints.json"))).RootElement;
        Assert.Equal(["api", "rclone", "redis", "web"], endpoints.EnumerateObject().Select(p => p.Name).Order());
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var url in new[] { rcmd.ApiUrl, rcmd.WebUrl })
        {
            using var health = await http.GetAsync(new Uri(url, "health"));
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        Assert.Equal("+PONG", Ping(int.Parse(rcmd.RedisConnectionString.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)));
        var rcd = new Uri(endpoints.GetProperty("rclone").GetString()!);
        using (var anonymous = await http.PostAsync(new Uri(rcd, "rc/noop"), Json("{}")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        // Aspire's variables; the rcd password only in a mode-600 file, never in an environment or a command line.
        var pids = Pids(data);
        var workers = pids.Keys.Where(n => n.StartsWith("worker-", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(2, workers.Count);
        var password = (await File.ReadAllTextAsync(Path.Combine(data, "run", "rclone-rc.pass"))).Trim();
        Assert.Matches("^[0-9a-f]{32}$", password);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data, "run", "rclone-rc.pass")));
        var api = Processes.Environment(pids["api"]);
        Assert.Equal(rcmd.RedisConnectionString, api["ConnectionStrings__redis"]);
        Assert.StartsWith("http://localhost:", api["services__rclone__http__0"], StringComparison.Ordinal);
        Assert.Equal(Path.Combine(data, "run", "rclone-rc.pass"), api["Rclone__PasswordFile"]);
        Assert.Equal("api", api["OTEL_SERVICE_NAME"]);
        Assert.Equal("0x400000", Processes.Environment(pids["web"])["DOTNET_GCgen0size"]);
        Assert.False(api.ContainsKey("DOTNET_GCgen0size"));
        Assert.Contains("service.instance.id=" + workers[0]["worker-".Length..], Processes.Environment(pids[workers[0]])["OTEL_RESOURCE_ATTRIBUTES"],
            StringComparison.Ordinal);
        foreach (var (name, pid) in pids)
        {
            Assert.DoesNotContain(Processes.Environment(pid).Values, v => v.Contains(password, StringComparison.Ordinal));
            Assert.DoesNotContain(Processes.CommandLine(pid), a => a.Contains(password, StringComparison.Ordinal) || a == "--rc-no-auth");
        }

        // A killed Worker and a killed rcd come back under new pids, and the system is healthy again.
        foreach (var name in new[] { workers[0], "rclone" })
        {
            var old = pids[name];
            Assert.True(NativeKill(old));
            await Wait.UntilAsync(() => Task.FromResult(Pids(data).TryGetValue(name, out var now) && now != old && Processes.IsAlive(now)),
                TimeSpan.FromSeconds(90), $"{name} to be started again", () => rcmd.Output);
        }

        await Wait.UntilAsync(async () =>
        {
            using var health = await http.GetAsync(new Uri(rcmd.ApiUrl, "health"));
            return health.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(60), "the Api healthy again (rcd back)", () => rcmd.Output);
        Assert.DoesNotContain(password, rcmd.Output, StringComparison.Ordinal);

        var everyPid = Pids(data).Values.ToList();
        await rcmd.StopAsync();
        await Wait.UntilAsync(() => Task.FromResult(!everyPid.Any(Processes.IsAlive)), TimeSpan.FromSeconds(30), "every process to end");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(data, "redis", "appendonlydir")));
        Assert.False(File.Exists(Path.Combine(data, "endpoints.json")));
    }

    [Fact]
    public async Task Process_AsAUserRunsIt_PrintsDashboardLinksAndSigtermLeavesNothing()
    {
        var data = _directory.Combine("data-process");
        var rcloneConfig = _directory.Combine("rclone.conf");
        await File.WriteAllTextAsync(rcloneConfig, "");
        using var host = AppHostProcess.Start(["--data-dir", data, "--web-port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--workers", "1"], new Dictionary<string, string?> { ["RCLONE_CONFIG"] = rcloneConfig, ["ASPNETCORE_URLS"] = null });

        await Wait.UntilAsync(() => Task.FromResult(host.StandardOutput.Contains("Ctrl+C stops everything", StringComparison.Ordinal) || host.HasExited),
            TimeSpan.FromSeconds(180), "the AppHost's URLs", () => host.Output);
        Assert.False(host.HasExited, host.Output);
        Assert.Matches(@"Login to the dashboard at http://127\.0\.0\.1:\d+/login\?t=[0-9a-f]+", host.StandardOutput);
        var endpoints = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(data, "endpoints.json"))).RootElement;
        var dashboard = endpoints.GetProperty("aspire-dashboard").GetString()!;
        Assert.DoesNotContain("?t=", dashboard, StringComparison.Ordinal);
        Assert.Contains($"Rcmd dashboard    {endpoints.GetProperty("web").GetString()}", host.StandardOutput, StringComparison.Ordinal);
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        using (var login = await http.GetAsync(new Uri(dashboard)))
        {
            Assert.True(login.IsSuccessStatusCode || (int)login.StatusCode is >= 300 and < 400, $"dashboard answered {(int)login.StatusCode}");
        }

        // DCP detaches from the AppHost (it watches it with --monitor <pid>): its tree is found by that argument.
        var dcp = Processes.Pgrep($"start-apiserver --monitor {host.Id} ");
        Assert.NotEmpty(dcp);
        var everyPid = Processes.DescendantsOf(host.Id).Union(dcp).Union(dcp.SelectMany(Processes.DescendantsOf)).Union(Pids(data).Values).ToList();
        Assert.Contains(everyPid, p => Processes.CommandLine(p).Any(a => a.EndsWith("Aspire.Dashboard", StringComparison.Ordinal)));
        Assert.Contains(everyPid, p => Processes.CommandLine(p).Any(a => a.Contains("redis-server", StringComparison.Ordinal)));
        host.Signal("TERM");
        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(60)), "The AppHost did not stop:\n" + host.Output);
        await Wait.UntilAsync(() => Task.FromResult(!everyPid.Any(Processes.IsAlive)), TimeSpan.FromSeconds(30),
            "DCP, its monitors, the dashboard, the services, redis-server and rcd to end",
            () => string.Join('\n', everyPid.Where(Processes.IsAlive).Select(p => $"{p}: {string.Join(' ', Processes.CommandLine(p))}")));
        Assert.Empty(Processes.Pgrep(data));
        var password = File.Exists(Path.Combine(data, "run", "rclone-rc.pass")) ? (await File.ReadAllTextAsync(Path.Combine(data, "run", "rclone-rc.pass"))).Trim() : null;
        if (password is not null)
        {
            Assert.DoesNotContain(password, host.Output, StringComparison.Ordinal);
        }
    }

    public void Dispose() => _directory.Dispose();

    /// <summary><c>{data}/rcmd.pids</c>: name → pid of the process running as it now.</summary>
    private static Dictionary<string, int> Pids(string data)
    {
        try
        {
            return File.ReadAllLines(Path.Combine(data, "rcmd.pids"))
                .Select(l => l.Split(' ', 3))
                .Where(p => p.Length == 3)
                .ToDictionary(p => p[2], p => int.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            return [];
        }
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
