using System.Net.Http.Headers;
using System.Text;

namespace Rcmd.Testing;

/// <summary>
/// A real <c>rclone rcd</c> on a free loopback port with generated credentials, its own empty config file and a
/// long job-expiry (<see cref="JobExpiry"/>), so tests can read finished jobs.
/// </summary>
public sealed class RcloneServer : IDisposable
{
    private readonly TempDirectory _home = new("rclone");
    private ChildProcess? _process;

    public RcloneServer()
    {
        Port = FreePort.Next();
        ConfigPath = _home.Combine("rclone.conf");
        File.WriteAllText(ConfigPath, string.Empty);
    }

    public int Port { get; }

    public string User { get; } = "rcmd-test";

    public string Password { get; } = Guid.NewGuid().ToString("N");

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    public string ConfigPath { get; }

    public int? ProcessId => _process?.Id;

    /// <summary>
    /// How long rcd keeps a finished job (<c>--rc-job-expire-duration</c>), set before <see cref="StartAsync"/>. 1 h by
    /// default; below a minute rcd also looks for expired jobs every second rather than every 10 s.
    /// </summary>
    public TimeSpan JobExpiry { get; set; } = TimeSpan.FromHours(1);

    public string Output => _process?.Output ?? string.Empty;

    /// <summary>Adds a remote to this rcd's config file (rcd reads the file on each use).</summary>
    public void AddRemote(string name, string type, params (string Key, string Value)[] parameters)
    {
        var text = new StringBuilder().Append('[').Append(name).Append("]\ntype = ").Append(type).Append('\n');
        foreach (var (key, value) in parameters)
        {
            text.Append(key).Append(" = ").Append(value).Append('\n');
        }

        File.AppendAllText(ConfigPath, text.Append('\n').ToString());
    }

    public async Task StartAsync()
    {
        _process = ChildProcess.Start("rclone",
        [
            "rcd", "--rc-addr", $"127.0.0.1:{Port}", "--rc-user", User, "--rc-pass", Password,
            "--rc-job-expire-duration", GoSeconds(JobExpiry),
            "--rc-job-expire-interval", GoSeconds(JobExpiry < TimeSpan.FromMinutes(1) ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(10)),
            "--config", ConfigPath, "--log-level", "NOTICE",
        ], new Dictionary<string, string?> { ["RCLONE_CONFIG_PASS"] = null });
        using var http = CreateHttpClient();
        await Wait.UntilAsync(async () =>
        {
            using var content = new StringContent("{}", Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(new Uri(Url, "rc/noop"), content).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(20), $"rclone rcd on port {Port}", () => Output).ConfigureAwait(false);
    }

    private static string GoSeconds(TimeSpan duration) =>
        ((long)Math.Ceiling(duration.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) + "s";

    /// <summary>An HttpClient that sends this rcd's basic-auth credentials.</summary>
    public HttpClient CreateHttpClient()
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        return http;
    }

    /// <summary>Environment for a Rcmd service that should talk to this rcd (Aspire conventions).</summary>
    public IDictionary<string, string?> ServiceEnvironment() => new Dictionary<string, string?>
    {
        ["services__rclone__http__0"] = Url.ToString(),
        ["Rclone__User"] = User,
        ["Rclone__Password"] = Password,
    };

    public void Kill() => _process?.Kill();

    public void Dispose()
    {
        _process?.Dispose();
        _home.Dispose();
    }
}
