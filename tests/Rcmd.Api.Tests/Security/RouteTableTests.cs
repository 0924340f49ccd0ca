using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Security;

/// <summary>
/// Walks the Api's route table (its <see cref="EndpointDataSource"/>) in server mode and calls every endpoint with no
/// credentials, as a viewer, an operator and an admin. The table below says the rule of each route; an endpoint the
/// table does not know fails the test, so a route added later cannot slip through unguarded.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RouteTableTests(RedisAndRcloneFixture fixture)
{
    /// <summary>Who may call a route.</summary>
    public enum Rule
    {
        /// <summary>Anyone: never refused by the auth stack.</summary>
        Open,

        /// <summary>Anyone from loopback; from elsewhere a signed-in caller (any role).</summary>
        LoopbackOrSignedIn,
        Viewer,
        Operator,
        Admin,
    }

    /// <summary>"METHOD pattern" → rule. Every endpoint of the Api must be here.</summary>
    public static readonly IReadOnlyDictionary<string, Rule> Rules = new Dictionary<string, Rule>(StringComparer.Ordinal)
    {
        ["* /health"] = Rule.Open,
        ["* /alive"] = Rule.Open,
        ["* /metrics"] = Rule.LoopbackOrSignedIn,
        ["GET /openapi/{documentName}.json"] = Rule.Open, // Development only: the API's shape, no data
        ["POST /api/auth/setup"] = Rule.Open, // needs the one-time token instead
        ["POST /api/auth/sessions"] = Rule.Open, // the dashboard's sign-in: a password instead (throttled, locked out)
        ["POST /api/auth/sessions/oidc"] = Rule.Open, // an ID token the configured provider signed instead (404 while OIDC is off)
        ["DELETE /api/auth/sessions/current"] = Rule.Viewer,

        ["POST /api/jobs"] = Rule.Operator,
        ["GET /api/jobs"] = Rule.Viewer,
        ["GET /api/jobs/counts"] = Rule.Viewer,
        ["GET /api/jobs/{id}"] = Rule.Viewer,
        ["POST /api/jobs/{id}/cancel"] = Rule.Operator,
        ["POST /api/jobs/{id}/retry-now"] = Rule.Operator,
        ["POST /api/jobs/{id}/rerun"] = Rule.Operator,

        ["POST /api/batches"] = Rule.Operator,
        ["GET /api/batches/{id}"] = Rule.Viewer,
        ["GET /api/batches/{id}/report"] = Rule.Viewer,
        ["GET /api/batches/{id}/report.csv"] = Rule.Viewer,
        ["GET /api/batches/{id}/report.json"] = Rule.Viewer,
        ["POST /api/batches/{id}/resume"] = Rule.Operator,
        ["POST /api/batches/{id}/retry-failed"] = Rule.Operator,

        ["GET /api/remotes"] = Rule.Viewer,
        ["POST /api/remotes/{name}/breaker/reset"] = Rule.Admin,
        ["POST /api/remotes/{name}/breaker/isolate"] = Rule.Admin,
        ["GET /api/remotes/{name}/list"] = Rule.Operator,
        ["GET /api/remotes/{name}/about"] = Rule.Operator,
        ["GET /api/remotes/{name}/size"] = Rule.Operator,

        ["GET /api/sse/status"] = Rule.Viewer,
        ["GET /api/notifications/channels"] = Rule.Admin,
        ["GET /api/notifications/dead"] = Rule.Viewer,
        ["POST /api/errors/classify"] = Rule.Viewer,
        ["GET /api/stats/failures"] = Rule.Viewer,
        ["GET /api/retention"] = Rule.Viewer,

        ["POST /api/schedules"] = Rule.Operator,
        ["GET /api/schedules"] = Rule.Viewer,
        ["GET /api/schedules/{id}"] = Rule.Viewer,
        ["PUT /api/schedules/{id}"] = Rule.Operator,
        ["DELETE /api/schedules/{id}"] = Rule.Operator,
        ["POST /api/schedules/{id}/pause"] = Rule.Operator,
        ["POST /api/schedules/{id}/resume"] = Rule.Operator,
        ["POST /api/schedules/{id}/run-now"] = Rule.Operator,
        ["GET /api/schedules/{id}/runs"] = Rule.Viewer,

        ["GET /api/auth/me"] = Rule.Viewer,
        ["GET /api/auth/users"] = Rule.Admin,
        ["POST /api/auth/users"] = Rule.Admin,
        ["DELETE /api/auth/users/{name}"] = Rule.Admin,
        ["GET /api/auth/keys"] = Rule.Admin,
        ["POST /api/auth/keys"] = Rule.Admin,
        ["DELETE /api/auth/keys/{id}"] = Rule.Admin,
        ["GET /api/audit"] = Rule.Admin,

        // rclone's RC API: any role may call it; each method needs its own role inside (RcMethods; RcApiTests, ServerModeAccessTests).
        ["POST /rc/{**path}"] = Rule.Viewer,
        ["OPTIONS /rc/{**path}"] = Rule.Open, // CORS preflight, as rcd answers it without auth
        ["GET /rc/{**path}"] = Rule.Viewer,
        ["HEAD /rc/{**path}"] = Rule.Viewer,
        ["PUT /rc/{**path}"] = Rule.Viewer,
        ["DELETE /rc/{**path}"] = Rule.Viewer,
        ["PATCH /rc/{**path}"] = Rule.Viewer,

        // SignalR's endpoints take any method ("*"): the walk calls them with GET, POST and DELETE.
        ["* /hubs/events/negotiate"] = Rule.Viewer,
        ["* /hubs/events"] = Rule.Viewer,
    };

    [Fact]
    public async Task EveryEndpoint_EachRole_IsAdmittedOrRefusedByItsRule()
    {
        // Every remote allowed: the path policy's own refusals (ServerModeAccessTests) are not what this walk checks.
        using var api = await SecureApi.StartAsync(fixture, new Dictionary<string, string?> { ["Rcmd:Paths:Remotes:0"] = "*" });
        var viewer = (await api.CreateKeyAsync("viewer")).Key;
        var @operator = (await api.CreateKeyAsync("operator")).Key;
        var admin = (await api.CreateKeyAsync("admin")).Key;
        using var anonymous = api.Anonymous();
        using var asViewer = api.WithKey(viewer);
        using var asOperator = api.WithKey(@operator);
        using var asAdmin = api.WithKey(admin);
        var callers = new (string Name, HttpClient Http, int Level)[]
        {
            ("anonymous", anonymous, 0), ("viewer", asViewer, 1), ("operator", asOperator, 2), ("admin", asAdmin, 3),
        };

        var routes = Routes(api.Factory.Services.GetRequiredService<EndpointDataSource>());
        var unknown = routes.Where(r => !Rules.ContainsKey(r.Key)).Select(r => r.Key).ToList();
        Assert.True(unknown.Count == 0, "endpoints with no rule in the table: " + string.Join(", ", unknown));
        var gone = Rules.Keys.Except(routes.Select(r => r.Key)).ToList();
        Assert.True(gone.Count == 0, "rules for endpoints that do not exist: " + string.Join(", ", gone));

        var failures = new List<string>();
        var calls = 0;
        foreach (var (key, method, path) in routes.SelectMany(r => r.Method == "*"
            ? new[] { HttpMethods.Get, HttpMethods.Post, HttpMethods.Delete }.Select(m => (r.Key, m, r.Path))
            : [r]))
        {
            var rule = Rules[key];
            foreach (var (name, http, level) in callers)
            {
                var status = await CallAsync(http, method, path);
                calls++;
                var expected = Expected(rule, level);
                if (expected is { } refusal ? status != refusal : status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    failures.Add($"{key} as {name}: {(int)status}, expected {(expected is { } e ? ((int)e).ToString() : "admitted")}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(calls >= 4 * 50, $"only {calls} calls");
    }

    [Fact]
    public async Task Metrics_FromAnotherAddress_NeedsACallerWhoSignedIn()
    {
        using var api = await SecureApi.StartAsync(fixture);
        var viewer = (await api.CreateKeyAsync("viewer")).Key;
        using var outsider = api.Anonymous(remote: "10.1.2.3");
        using var outsiderWithKey = api.WithKey(viewer, remote: "10.1.2.3");

        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(outsider, HttpMethods.Get, "/metrics"));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(outsiderWithKey, HttpMethods.Get, "/metrics"));
    }

    private static HttpStatusCode? Expected(Rule rule, int level) => rule switch
    {
        Rule.Open or Rule.LoopbackOrSignedIn => null, // the walk calls from loopback
        _ when level >= (int)rule - 1 => null,
        _ when level == 0 => HttpStatusCode.Unauthorized,
        _ => HttpStatusCode.Forbidden,
    };

    internal static List<(string Key, string Method, string Path)> Routes(EndpointDataSource source)
    {
        var routes = new List<(string, string, string)>();
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.Trim('/');
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"];
            foreach (var method in methods)
            {
                routes.Add(($"{method} {pattern}", method, Concrete(pattern)));
            }
        }

        return routes.DistinctBy(r => r.Item1).ToList();
    }

    /// <summary>The pattern with a harmless value in each parameter (an id that exists nowhere, the OpenAPI document "v1").</summary>
    private static string Concrete(string pattern) => pattern
        .Replace("{documentName}", "v1", StringComparison.Ordinal)
        .Replace("{id}", "zz-walk-0", StringComparison.Ordinal)
        .Replace("{name}", "zz-walk-0", StringComparison.Ordinal)
        .Replace("{**path}", "rc/noop", StringComparison.Ordinal);

    internal static async Task<HttpStatusCode> CallAsync(HttpClient http, string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            request.Content = ApiAssert.Json("{}");
        }

        // The event stream never ends: the status line is all the walk needs.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            await (path.StartsWith("/rc/", StringComparison.Ordinal) ? AssertRcRefusalShapeAsync(response) : AssertRefusalShapeAsync(response));
        }

        return response.StatusCode;
    }

    /// <summary>A refusal is in the Api's error shape; a 401 says how to sign in (WWW-Authenticate).</summary>
    private static async Task AssertRefusalShapeAsync(HttpResponseMessage response)
    {
        var unauthorized = response.StatusCode == HttpStatusCode.Unauthorized;
        var error = await ApiAssert.ErrorAsync(response, response.StatusCode, unauthorized ? "invalid_credentials" : "access_denied");
        if (unauthorized)
        {
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }
        else
        {
            Assert.Contains("needs the", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    /// <summary>Under <c>/rc/</c> a refusal is in rclone's shape (normalizedError beside it); a 401 carries rcd's Basic challenge.</summary>
    private static async Task AssertRcRefusalShapeAsync(HttpResponseMessage response)
    {
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)response.StatusCode, body.GetProperty("status").GetInt32());
        var unauthorized = response.StatusCode == HttpStatusCode.Unauthorized;
        Assert.Equal(unauthorized ? "invalid_credentials" : "access_denied", body.GetProperty("normalizedError").GetProperty("code").GetString());
        if (unauthorized)
        {
            Assert.Equal("Basic realm=\"rclone\"", response.Headers.WwwAuthenticate.Single().ToString());
        }
    }
}
