using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;

namespace Rcmd.Deploy.Tests;

/// <summary>
/// deploy/azure-container-apps/main.bicep compiled by the real Bicep compiler (from its NuGet package, offline: it
/// carries the Azure resource types) with no diagnostic, and the ARM template it gives checked for the security
/// issue's rules: server mode, the bootstrap password as a secure parameter, nothing reachable from outside.
/// </summary>
public sealed class ContainerAppsTemplateTests
{
    private static readonly Lazy<(int ExitCode, string Output, string Errors)> Compiled = new(Compile);

    private static (int, string, string) Compile()
    {
        var bicep = typeof(ContainerAppsTemplateTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BicepPath").Value!;
        var start = new ProcessStartInfo(bicep)
        {
            ArgumentList = { "build", Path.Combine(Repository.Root, "deploy", "azure-container-apps", "main.bicep"), "--stdout" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "bicep build did not end in 2 minutes");
        return (process.ExitCode, output.Result, errors.Result);
    }

    private static JsonObject Template => JsonNode.Parse(Compiled.Value.Output)!.AsObject();

    private static JsonObject App(string name) =>
        Template["resources"]!.AsArray().Select(r => r!.AsObject())
            .Single(r => (string?)r["type"] == "Microsoft.App/containerApps" && (string?)r["name"] == name);

    private static JsonArray Variable(string name) => Template["variables"]![name]!.AsArray();

    private static string? ValueOf(JsonArray env, string name) =>
        env.Select(e => e!.AsObject()).Where(e => (string?)e["name"] == name).Select(e => (string?)e["value"] ?? "secretRef:" + (string?)e["secretRef"]).SingleOrDefault();

    [Fact]
    public void Bicep_CompilesWithoutAnyDiagnostic()
    {
        var (exitCode, output, errors) = Compiled.Value;

        Assert.True(exitCode == 0, errors);
        Assert.Equal(string.Empty, errors.Trim()); // warnings (an unknown property, an unused parameter …) are printed here
        Assert.StartsWith("https://schema.management.azure.com/schemas/", (string?)JsonNode.Parse(output)!["$schema"], StringComparison.Ordinal);
    }

    [Fact]
    public void ApiAndWorker_RunInServerMode_TheApiWithItsBootstrapAdminFromASecret()
    {
        Assert.Equal("server", ValueOf(Variable("serviceEnv"), "Rcmd__Auth__Mode"));
        Assert.Equal("[concat(variables('serviceEnv'), variables('apiEnv'))]", (string?)Env("api"));
        Assert.StartsWith("[concat(variables('serviceEnv'), ", (string?)Env("worker"), StringComparison.Ordinal);
        Assert.Equal("secretRef:bootstrap-admin-password", ValueOf(Variable("apiEnv"), "Rcmd__Auth__BootstrapAdminPassword"));
        Assert.Equal("*", ValueOf(Variable("apiEnv"), "Rcmd__Paths__Remotes__0"));

        var secret = Variable("secrets").Select(s => s!.AsObject()).Single(s => (string?)s["name"] == "bootstrap-admin-password");
        Assert.Equal("[parameters('bootstrapAdminPassword')]", (string?)secret["value"]);
        Assert.Equal("securestring", (string?)Template["parameters"]!["bootstrapAdminPassword"]!["type"]);
    }

    [Fact]
    public void Web_RunsInServerMode_IsTheOnlyExternalApp_HttpsOnly_WithRedisForItsKeysAndNoApiKey()
    {
        var env = Env("web")!.AsArray();
        Assert.Equal("server", ValueOf(env, "Rcmd__Auth__Mode"));
        Assert.Equal("redis:6379,password=$(REDIS_PASSWORD)", ValueOf(env, "ConnectionStrings__redis"));
        Assert.Equal("secretRef:redis-password", ValueOf(env, "REDIS_PASSWORD"));
        Assert.DoesNotContain(env, e => ((string?)e!["name"])!.Contains("ApiKey", StringComparison.Ordinal));
        Assert.Equal(Repository.DashboardGen0Budget, ValueOf(env, "DOTNET_GCgen0size"));
        Assert.Null(ValueOf(Variable("serviceEnv"), "DOTNET_GCgen0size"));

        var external = Template["resources"]!.AsArray().Select(r => r!.AsObject())
            .Where(r => (string?)r["type"] == "Microsoft.App/containerApps")
            .Where(r => (bool?)r["properties"]!["configuration"]!["ingress"]?["external"] == true)
            .ToList();
        var web = Assert.Single(external); // the dashboard, which signs its users in; Api, Workers and Redis stay internal
        Assert.Equal("web", (string?)web["name"]);
        Assert.False((bool?)web["properties"]!["configuration"]!["ingress"]!["allowInsecure"]);
    }

    private static JsonNode? Env(string app) => App(app)["properties"]!["template"]!["containers"]![0]!["env"];
}
