using System.Net;
using System.Text;
using System.Text.Json;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Security;

/// <summary>
/// Server mode with real sign-in: what each role may do through <c>/rc/</c> (rclone's wire, role per method) and which
/// paths each role's jobs may use (the allow-lists of <c>Rcmd:Paths</c>, issue 13 item 5).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ServerModeAccessTests(RedisAndRcloneFixture fixture)
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient http, string path, string? json = null)
    {
        using var response = await http.PostAsync(path, json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task Rc_ViewerReads_OperatorRunsTransfers_AdminAloneReachesTheRest_AnonymousSignsIn()
    {
        using var api = await SecureApi.StartAsync(fixture, new Dictionary<string, string?> { ["Rcmd:Paths:Remotes:0"] = "*" });
        using var viewer = api.WithKey((await api.CreateKeyAsync("viewer")).Key);
        using var @operator = api.WithKey((await api.CreateKeyAsync("operator")).Key);
        using var admin = api.WithKey((await api.CreateKeyAsync("admin")).Key);
        using var anonymous = api.Anonymous();

        using var challenged = await anonymous.PostAsync("/rc/rc/noop", null);
        Assert.Equal(HttpStatusCode.Unauthorized, challenged.StatusCode);
        Assert.Equal("Basic realm=\"rclone\"", challenged.Headers.WwwAuthenticate.Single().ToString());
        var challenge = JsonDocument.Parse(await challenged.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((401, "rc/noop"), (challenge.GetProperty("status").GetInt32(), challenge.GetProperty("path").GetString()));
        Assert.Equal("invalid_credentials", challenge.GetProperty("normalizedError").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(viewer, "/rc/rc/noopauth")).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(viewer, "/rc/core/version")).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(viewer, "/rc/job/list")).Status);

        var copy = """{"srcFs": "s3prod:a", "dstFs": "s3prod:b", "_async": true}""";
        var refused = await PostAsync(viewer, "/rc/sync/copy", copy);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("sync/copy needs the operator role", refused.Body.GetProperty("error").GetString());
        Assert.Equal(403, refused.Body.GetProperty("status").GetInt32());
        var started = await PostAsync(@operator, "/rc/sync/copy", copy);
        Assert.Equal(HttpStatusCode.OK, started.Status);
        Assert.True(started.Body.GetProperty("jobid").GetInt64() > 0);

        var create = """{"name": "zz-rc-test", "type": "local", "parameters": {}}""";
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(@operator, "/rc/config/create", create)).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(admin, "/rc/config/create", create)).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(admin, "/rc/config/delete", """{"name": "zz-rc-test"}""")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(admin, "/rc/core/quit")).Status);

        // options/get carries rcd's own credentials (its rc password): masked below admin, whole for admins.
        var forViewer = await PostAsync(viewer, "/rc/options/get");
        var forAdmin = await PostAsync(admin, "/rc/options/get");
        Assert.Equal(HttpStatusCode.OK, forViewer.Status);
        var masked = Passwords(forViewer.Body).ToList();
        Assert.NotEmpty(masked);
        Assert.All(masked, value => Assert.Equal("***", value));
        Assert.Contains(Passwords(forAdmin.Body), value => value is { Length: > 0 } and not "***");
    }

    /// <summary>Every string whose key names a password, anywhere in <paramref name="node"/>.</summary>
    private static IEnumerable<string?> Passwords(JsonElement node) => node.ValueKind switch
    {
        JsonValueKind.Object => node.EnumerateObject().SelectMany(p =>
            p.Value.ValueKind == JsonValueKind.String && p.Name.Contains("pass", StringComparison.OrdinalIgnoreCase)
                ? [p.Value.GetString()]
                : Passwords(p.Value)),
        _ => [],
    };

    [Fact]
    public async Task Paths_EachRoleWithinItsAllowList_ElseAccessDenied()
    {
        using var allowed = new TempDirectory("allowed");
        using var api = await SecureApi.StartAsync(fixture, new Dictionary<string, string?>
        {
            ["Rcmd:Paths:LocalRoots:0"] = allowed.Path,
            ["Rcmd:Paths:Remotes:0"] = "s3prod",
            ["Rcmd:Paths:Roles:admin:Remotes:0"] = "*",
        });
        using var @operator = api.WithKey((await api.CreateKeyAsync("operator")).Key);
        using var admin = api.WithKey((await api.CreateKeyAsync("admin")).Key);

        var inside = await PostAsync(@operator, "/api/jobs", $$"""{"type": "copy", "source": "{{allowed.Path}}/in", "destination": "s3prod:b"}""");
        var outsideLocal = await PostAsync(@operator, "/api/jobs", """{"type": "copy", "source": "/etc", "destination": "s3prod:b"}""");
        var otherRemote = await PostAsync(@operator, "/api/jobs", $$"""{"type": "copy", "source": "{{allowed.Path}}/in", "destination": "gdrive:b"}""");
        var adminRemote = await PostAsync(admin, "/api/jobs", $$"""{"type": "copy", "source": "{{allowed.Path}}/in", "destination": "gdrive:b"}""");

        Assert.Equal(HttpStatusCode.Created, inside.Status);
        Assert.Equal(HttpStatusCode.Forbidden, outsideLocal.Status);
        Assert.Equal("access_denied", outsideLocal.Body.GetProperty("error").GetProperty("normalizedError").GetProperty("code").GetString());
        Assert.Contains("role 'operator'", outsideLocal.Body.GetProperty("error").GetProperty("fields").GetProperty("source")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, otherRemote.Status);
        Assert.True(otherRemote.Body.GetProperty("error").GetProperty("fields").TryGetProperty("destination", out _));
        Assert.Equal(HttpStatusCode.Created, adminRemote.Status);
    }
}
