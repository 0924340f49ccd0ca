using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Rcmd.Testing;
using StackExchange.Redis;

namespace Rcmd.Bench;

/// <summary>
/// Issue 13's figures, on one redis-server and one rclone rcd, in the same run:
/// <list type="number">
/// <item>Auth overhead: requests/s of GET /api/jobs/{id} and POST /api/jobs on an Api in local mode (no credentials)
/// and on a second Api process in server mode (X-Api-Key, and HTTP Basic after its first check); raw rclone rcd's
/// <c>rc/noop</c> with its own Basic auth beside them.</item>
/// <item>Fuzz: <c>--requests N</c> (default 10,000) malformed or hostile requests at the server-mode Api — bad and forged
/// credentials, forged cookies, oversized headers, path tricks, bad methods and raw malformed HTTP — then: the count of
/// each status, 5xx count (must be 0), the queue's growth (must be 0) and whether the process still answers.</item>
/// </list>
/// The Apis are real processes on free loopback ports (Release build of Rcmd.Api); nothing leaves loopback.
/// </summary>
public static class AuthBench
{
    private const string AdminPassword = "bench-admin-password";
    private static readonly TimeSpan Phase = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(BenchOptions options)
    {
        using var redis = new RedisServer();
        using var rclone = new RcloneServer();
        await Task.WhenAll(redis.StartAsync(), rclone.StartAsync());
        var local = StartApi(redis, rclone, "bl", new Dictionary<string, string?>());
        var server = StartApi(redis, rclone, "bs", new Dictionary<string, string?>
        {
            ["Rcmd__Auth__Mode"] = "server",
            ["Rcmd__Auth__BootstrapAdminPassword"] = AdminPassword,
            // The fuzz's thousands of failed sign-ins come from one address: a limit high enough that the per-account
            // lockout and the credential checks themselves are exercised too, not only the 429.
            ["Rcmd__Auth__FailuresPerWindow"] = "2000",
        });
        using (local.Process)
        using (server.Process)
        {
            await Task.WhenAll(WaitAliveAsync(local), WaitAliveAsync(server));
            using var adminHttp = Client(server.Url, basic: ("admin", AdminPassword));
            var key = await CreateKeyAsync(adminHttp, "operator");
            await CreateUserAsync(adminHttp, "bench-op", "bench-op-password", "operator");

            await OverheadAsync(options, local, server, rclone, key);
            await FuzzAsync(options, server, redis, key);
        }
    }

    private static async Task OverheadAsync(BenchOptions options, Api local, Api server, RcloneServer rclone, string key)
    {
        var concurrency = options.Concurrency;
        Console.WriteLine($"auth overhead: {concurrency} concurrent clients, {Phase.TotalSeconds:0} s per row, Release Api processes, one redis-server");
        using var localHttp = Client(local.Url);
        using var keyHttp = Client(server.Url, key: key);
        using var basicHttp = Client(server.Url, basic: ("bench-op", "bench-op-password"));
        using var rcd = rclone.CreateHttpClient();

        var localJob = await SubmitAsync(localHttp);
        var serverJob = await SubmitAsync(keyHttp);
        var rows = new List<(string What, double PerSecond, double P50, double P99)>
        {
            await RateAsync("GET job   local mode, no credentials", concurrency, () => localHttp.GetAsync($"/api/jobs/{localJob}")),
            await RateAsync("GET job   server mode, X-Api-Key", concurrency, () => keyHttp.GetAsync($"/api/jobs/{serverJob}")),
            await RateAsync("GET job   server mode, Basic (cached check)", concurrency, () => basicHttp.GetAsync($"/api/jobs/{serverJob}")),
            await RateAsync("POST job  local mode, no credentials", concurrency, () => localHttp.PostAsync("/api/jobs", JobBody())),
            await RateAsync("POST job  server mode, X-Api-Key", concurrency, () => keyHttp.PostAsync("/api/jobs", JobBody())),
            await RateAsync("POST job  server mode, Basic (cached check)", concurrency, () => basicHttp.PostAsync("/api/jobs", JobBody())),
            await RateAsync("raw rclone rcd rc/noop, its Basic auth", concurrency, () => rcd.PostAsync(new Uri(rclone.Url, "rc/noop"), JsonContent.Create(new { }))),
        };
        foreach (var (what, perSecond, p50, p99) in rows)
        {
            Console.WriteLine($"  {what,-46} {perSecond,8:0} req/s   p50 {p50,6:0.00} ms   p99 {p99,6:0.00} ms");
        }
    }

    private static async Task FuzzAsync(BenchOptions options, Api server, RedisServer redis, string operatorKey)
    {
        var total = options.Requests;
        using var multiplexer = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var queue = new RedisKey($"{server.Prefix}:jobs:queue");
        var queuedBefore = await multiplexer.GetDatabase().ListLengthAsync(queue);
        using var viewerAdmin = Client(server.Url, basic: ("admin", AdminPassword));
        var viewerKey = await CreateKeyAsync(viewerAdmin, "viewer");

        var statuses = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var serverErrors = new List<string>();
        var random = new Random(13);
        var cases = Cases(operatorKey, viewerKey).ToArray();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = server.Url };
        var watch = Stopwatch.StartNew();
        var gate = new SemaphoreSlim(options.Concurrency);
        var tasks = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            var (name, send) = cases[random.Next(cases.Length)];
            var seed = random.Next();
            await gate.WaitAsync();
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    var status = await send(http, server.Url, new Random(seed));
                    lock (statuses)
                    {
                        statuses[status] = statuses.GetValueOrDefault(status) + 1;
                        if (status.StartsWith('5'))
                        {
                            serverErrors.Add($"{name}: {status}");
                        }
                    }
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        await Task.WhenAll(tasks);
        var queuedAfter = await multiplexer.GetDatabase().ListLengthAsync(queue);
        using var alive = await http.GetAsync("/alive");
        Console.WriteLine($"fuzz: {total} hostile requests ({cases.Length} kinds) in {watch.Elapsed.TotalSeconds:0.0} s at the server-mode Api");
        foreach (var (status, count) in statuses)
        {
            Console.WriteLine($"  {status,-22} {count,6}");
        }

        // Kestrel answers an unknown HTTP version (HTTP/9.9) 505 before the Api sees the request: counted apart.
        var protocol = serverErrors.Count(e => e.EndsWith(": 505", StringComparison.Ordinal));
        var fromApi = serverErrors.Where(e => !e.EndsWith(": 505", StringComparison.Ordinal)).ToList();
        Console.WriteLine($"  5xx from the Api: {fromApi.Count}{(fromApi.Count > 0 ? " — " + string.Join("; ", fromApi.Distinct().Take(10)) : string.Empty)}");
        Console.WriteLine($"  505 from Kestrel's HTTP parser (HTTP/9.9 request line, before the Api): {protocol}");
        Console.WriteLine($"  enqueued meanwhile: {queuedAfter - queuedBefore} (must be 0)");
        Console.WriteLine($"  process alive afterwards: {alive.StatusCode == HttpStatusCode.OK && !server.Process.HasExited}");
    }

    private delegate Task<string> Send(HttpClient http, Uri baseUrl, Random random);

    /// <summary>The kinds of hostile request; each returns the status (or what the connection did).</summary>
    private static IEnumerable<(string Name, Send Send)> Cases(string operatorKey, string viewerKey)
    {
        const string job = """{"type":"copy","source":"/a","destination":"/b"}""";
        Send Http(HttpMethod method, Func<Random, string> path, Action<HttpRequestMessage, Random>? headers = null, Func<Random, HttpContent?>? body = null) =>
            async (http, _, random) =>
            {
                using var request = new HttpRequestMessage(method, path(random)) { Content = body?.Invoke(random) };
                headers?.Invoke(request, random);
                try
                {
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                    return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (HttpRequestException e)
                {
                    return "closed:" + (e.HttpRequestError.ToString());
                }
            };
        HttpContent Json(string text) => new StringContent(text, Encoding.UTF8, "application/json");
        string Garbage(Random r, int length) => new(Enumerable.Range(0, length).Select(_ => (char)r.Next(33, 127)).ToArray());
        string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

        yield return ("basic, unknown user", Http(HttpMethod.Post, _ => "/api/jobs",
            (m, r) => m.Headers.Authorization = new AuthenticationHeaderValue("Basic", Base64($"u{r.Next(100000)}:{Garbage(r, 12)}")), _ => Json(job)));
        yield return ("basic, admin wrong password", Http(HttpMethod.Post, _ => "/api/auth/keys",
            (m, r) => m.Headers.Authorization = new AuthenticationHeaderValue("Basic", Base64($"admin:{Garbage(r, 16)}")),
            _ => Json("""{"name":"x","role":"admin"}""")));
        yield return ("basic, not base64", Http(HttpMethod.Get, _ => "/api/jobs",
            (m, r) => m.Headers.TryAddWithoutValidation("Authorization", "Basic " + Garbage(r, 30))));
        yield return ("basic, no colon", Http(HttpMethod.Get, _ => "/api/audit",
            (m, r) => m.Headers.Authorization = new AuthenticationHeaderValue("Basic", Base64(Garbage(r, 20).Replace(":", "", StringComparison.Ordinal)))));
        yield return ("forged key, X-Api-Key", Http(HttpMethod.Post, _ => "/api/jobs",
            (m, r) => m.Headers.Add("X-Api-Key", "rcmd_" + Garbage(r, 43)), _ => Json(job)));
        yield return ("forged bearer (JWT-like)", Http(HttpMethod.Post, _ => "/api/batches",
            (m, r) => m.Headers.TryAddWithoutValidation("Authorization", $"Bearer eyJhbGciOiJub25lIn0.{Base64("{\"role\":\"admin\"}")}.{Garbage(r, 10)}"),
            _ => Json("""{"items":[{"op":"copyfile","source":"/a","destination":"/b"}]}""")));
        yield return ("forged cookie", Http(HttpMethod.Post, _ => "/api/jobs",
            (m, r) => m.Headers.TryAddWithoutValidation("Cookie", ".AspNetCore.Cookies=" + Garbage(r, 200)), _ => Json(job)));
        yield return ("unknown auth scheme", Http(HttpMethod.Delete, _ => "/api/auth/users/admin",
            (m, r) => m.Headers.TryAddWithoutValidation("Authorization", "Digest username=\"admin\", response=\"" + Garbage(r, 32) + "\"")));
        yield return ("oversized X-Api-Key (40 KiB)", Http(HttpMethod.Post, _ => "/api/jobs",
            (m, r) => m.Headers.TryAddWithoutValidation("X-Api-Key", new string('k', 40 * 1024)), _ => Json(job)));
        yield return ("oversized Authorization (100 KiB)", Http(HttpMethod.Get, _ => "/api/jobs",
            (m, r) => m.Headers.TryAddWithoutValidation("Authorization", "Basic " + new string('A', 100 * 1024))));
        yield return ("200 extra headers", Http(HttpMethod.Get, _ => "/api/auth/users", (m, r) =>
        {
            for (var i = 0; i < 200; i++)
            {
                m.Headers.TryAddWithoutValidation($"X-Junk-{i}", Garbage(r, 100));
            }
        }));
        yield return ("access_token on a plain endpoint", Http(HttpMethod.Post, r => "/api/jobs?access_token=rcmd_" + Garbage(r, 20).Replace("&", "", StringComparison.Ordinal),
            body: _ => Json(job)));
        yield return ("access_token, huge, on the hub", Http(HttpMethod.Post, _ => "/hubs/events/negotiate?negotiateVersion=1&access_token=" + new string('t', 6000)));
        yield return ("path ../ to the audit", Http(HttpMethod.Get, _ => "/api/jobs/%2e%2e/%2e%2e/api/audit"));
        yield return ("path encoded slashes", Http(HttpMethod.Delete, _ => "/api/auth/keys/..%2f..%2fusers%2fadmin"));
        // Raw: HttpClient would read "//api" as a host name (and look it up).
        yield return ("raw: path double slash", Raw(_ => "POST //api//jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"));
        yield return ("path NUL and unicode", Http(HttpMethod.Get, r => $"/api/jobs/%00{r.Next()}%E2%80%AE%F0%9F%92%A5"));
        yield return ("path 8 KiB", Http(HttpMethod.Get, _ => "/api/jobs/" + new string('a', 8 * 1024)));
        yield return ("method TRACE", Http(new HttpMethod("TRACE"), _ => "/api/jobs"));
        yield return ("method PROPFIND", Http(new HttpMethod("PROPFIND"), _ => "/api/auth/users"));
        yield return ("viewer key submits", Http(HttpMethod.Post, _ => "/api/jobs", (m, _) => m.Headers.Add("X-Api-Key", viewerKey), _ => Json(job)));
        yield return ("viewer key makes an admin key", Http(HttpMethod.Post, _ => "/api/auth/keys", (m, _) => m.Headers.Add("X-Api-Key", viewerKey),
            _ => Json("""{"name":"escalate","role":"admin"}""")));
        yield return ("operator key, malformed JSON", Http(HttpMethod.Post, _ => "/api/jobs", (m, _) => m.Headers.Add("X-Api-Key", operatorKey),
            r => Json("{\"type\":\"copy\",\"source\":" + Garbage(r, 40))));
        yield return ("operator key, wrong types", Http(HttpMethod.Post, _ => "/api/jobs", (m, _) => m.Headers.Add("X-Api-Key", operatorKey),
            _ => Json("""{"type":["copy"],"source":{"$ne":null},"destination":1e309}""")));
        yield return ("setup with a guessed token", Http(HttpMethod.Post, _ => "/api/auth/setup",
            body: r => Json($$"""{"token":"{{Garbage(r, 64).Replace("\"", "", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal)}}","password":"p4ssw0rd-guess"}""")));
        yield return ("raw: malformed request line", Raw(_ => "GET /api/jobs HTTP/9.9\r\nHost: x\r\n\r\n"));
        yield return ("raw: header injection", Raw(r => $"POST /api/jobs HTTP/1.1\r\nHost: x\r\nX-Api-Key: a\r\n b\u0000{r.Next()}\r\nContent-Length: 2\r\n\r\n{{}}"));
        yield return ("raw: bad Content-Length", Raw(_ => "POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\nContent-Type: application/json\r\n\r\n{}"));
        yield return ("raw: two Content-Lengths (smuggling)", Raw(_ =>
            "POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 60\r\nContent-Type: application/json\r\n\r\n{}"));
        yield return ("raw: CL and chunked (smuggling)", Raw(_ =>
            "POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n0\r\n\r\nPOST /api/jobs HTTP/1.1\r\nHost: x\r\n\r\n"));
    }

    /// <summary>Bytes written straight to the socket (HttpClient refuses to send most of these); the status line read back.</summary>
    private static Send Raw(Func<Random, string> text) => async (_, baseUrl, random) =>
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, baseUrl.Port);
        using var stream = tcp.GetStream();
        stream.ReadTimeout = 10_000;
        await stream.WriteAsync(Encoding.Latin1.GetBytes(text(random)));
        var buffer = new byte[64];
        var read = 0;
        try
        {
            read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is IOException or TimeoutException)
        {
            return "closed:raw";
        }

        var line = Encoding.Latin1.GetString(buffer, 0, read);
        return line.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && line.Length >= 12 ? line[9..12] : "closed:raw";
    };

    private static async Task<(string, double, double, double)> RateAsync(string what, int concurrency, Func<Task<HttpResponseMessage>> call)
    {
        // Warm-up (JIT, connections), then as many calls as fit in the phase.
        for (var i = 0; i < 200; i++)
        {
            using var response = await call();
            response.EnsureSuccessStatusCode();
        }

        var latencies = new List<double>();
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var mine = new List<double>();
            while (watch.Elapsed < Phase)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await call();
                response.EnsureSuccessStatusCode();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            return mine;
        })).ToArray();
        foreach (var list in await Task.WhenAll(workers))
        {
            latencies.AddRange(list);
        }

        var elapsed = watch.Elapsed.TotalSeconds;
        latencies.Sort();
        return (what, latencies.Count / elapsed, latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)]);
    }

    private sealed record Api(ChildProcess Process, Uri Url, string Prefix);

    private static Api StartApi(RedisServer redis, RcloneServer rclone, string prefix, Dictionary<string, string?> settings)
    {
        var port = FreePort.Next();
        var environment = new Dictionary<string, string?>(rclone.ServiceEnvironment())
        {
            ["ConnectionStrings__redis"] = redis.ConnectionString,
            ["Rcmd__RedisPrefix"] = prefix,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var process = ChildProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "Rcmd.Api.dll")], environment, AppContext.BaseDirectory);
        return new Api(process, new Uri($"http://127.0.0.1:{port}"), prefix);
    }

    private static Task WaitAliveAsync(Api api) => Wait.UntilAsync(async () =>
    {
        if (api.Process.HasExited)
        {
            throw new InvalidOperationException("the Api exited:\n" + api.Process.Output);
        }

        try
        {
            using var http = new HttpClient();
            using var response = await http.GetAsync(new Uri(api.Url, "/alive"));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }, TimeSpan.FromSeconds(60), "the Api at " + api.Url);

    private static HttpClient Client(Uri baseUrl, string? key = null, (string User, string Password)? basic = null)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = baseUrl };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        if (basic is { } credentials)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.User}:{credentials.Password}")));
        }

        return http;
    }

    private static async Task<string> CreateKeyAsync(HttpClient admin, string role)
    {
        using var response = await admin.PostAsJsonAsync("/api/auth/keys", new { name = "bench-" + role, role });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("key").GetString()!;
    }

    private static async Task CreateUserAsync(HttpClient admin, string name, string password, string role)
    {
        using var response = await admin.PostAsJsonAsync("/api/auth/users", new { name, password, role });
        response.EnsureSuccessStatusCode();
    }

    private static async Task<string> SubmitAsync(HttpClient http)
    {
        using var response = await http.PostAsync("/api/jobs", JobBody());
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetString()!;
    }

    private static StringContent JobBody() =>
        new("""{"type":"copy","source":"/bench/a","destination":"/bench/b"}""", Encoding.UTF8, "application/json");
}
