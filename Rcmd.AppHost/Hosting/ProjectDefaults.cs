namespace Rcmd.AppHost;

internal static class ProjectDefaults
{
    private const string OidcPrefix = "Rcmd__Auth__Oidc__";

    /// <summary>
    /// An Rcmd service: no launch profile (the AppHost decides), one http endpoint on loopback — at <paramref name="port"/>
    /// without DCP's proxy, or behind the proxy when null (replicas: each its own port, one address), ready when
    /// <c>/health</c> answers 200, its environment name the AppHost's (Development by default, as before: OpenAPI on),
    /// the data directory for what a service keeps on disk (unknown-error samples), restarted after a crash, started from
    /// its built output (<see cref="BuiltOutput"/>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddRcmdProject<TProject>(this IDistributedApplicationBuilder builder, string name,
        RcmdRun run, int? port) where TProject : IProjectMetadata, new()
    {
        var environment = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
            ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Development";
        return builder.AddProject<TProject>(name, o => o.ExcludeLaunchProfile = true)
            .WithBuiltOutput()
            .WithHttpEndpoint(port: port, targetPort: port, name: "http", isProxied: port is null)
            .WithHttpHealthCheck("/health")
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", environment)
            .WithEnvironment("DOTNET_ENVIRONMENT", environment)
            .WithEnvironment("Rcmd__DataDir", run.Data.Path)
            .WithEnvironment("Rcmd__Auth__Mode", run.Options.Auth ? "server" : "local")
            .WithRestartOnCrash()
            .WithoutOtlpRetry();
    }

    /// <summary>The Web's gen0 budget (<see cref="WithDashboardGen0Budget"/>): 4 MiB.</summary>
    public const string DashboardGen0Budget = "0x400000";

    /// <summary>
    /// The dashboard collects its youngest generation every 4 MiB allocated instead of every ~20 MiB (what the GC picks
    /// with the Web's 256 MiB heap limit): the circuits' render garbage dies young, and the larger budget only kept more
    /// memory committed. Bench <c>dashboards</c>, 20 open, 3 minutes: GC committed 62–69 MiB instead of 72–82, RSS
    /// 228–237 MiB instead of 240–255. <c>DOTNET_GCgen0size</c> is read from the environment only (runtimeconfig.json
    /// has no name for it), so the Kubernetes and Container Apps manifests set it on the web container too.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDashboardGen0Budget(this IResourceBuilder<ProjectResource> web) =>
        web.WithEnvironment("DOTNET_GCgen0size", DashboardGen0Budget);

    /// <summary>
    /// Without Aspire's <c>OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY=in_memory</c>: on stop, DCP ends the Aspire dashboard (the
    /// OTLP collector) together with the services, and each service then retried its last traces, metrics and logs against
    /// the closed port until the exporter's 10 s timeout before it could exit (measured: 6–10 s per stop). An export that
    /// fails is now dropped at once, as the OpenTelemetry exporter does by default.
    /// </summary>
    private static IResourceBuilder<ProjectResource> WithoutOtlpRetry(this IResourceBuilder<ProjectResource> project) =>
        project.WithEnvironment(context => context.EnvironmentVariables.Remove("OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"));

    /// <summary>The Api's way to the first admin in server mode: the bootstrap password, or the one-time setup token.</summary>
    public static IResourceBuilder<ProjectResource> WithFirstAdmin(this IResourceBuilder<ProjectResource> api, RcmdRun run)
    {
        if (run.Options.Auth && run.BootstrapAdminPassword is { } password)
        {
            api.WithEnvironment("Rcmd__Auth__BootstrapAdminPassword", password);
        }

        if (run.SetupToken is { } token)
        {
            api.WithEnvironment("Rcmd__Auth__SetupToken", token);
        }

        return api;
    }

    /// <summary>
    /// The dashboard's OpenID Connect settings (<c>Rcmd__Auth__Oidc__*</c>) from this process's environment, in server
    /// mode: to the Web, which runs the sign-in, and to the Api, which checks the ID tokens and maps the role — the
    /// client secret to the Web only.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithOidcSettings(this IResourceBuilder<ProjectResource> project, RcmdRun run, bool clientSecret)
    {
        if (!run.Options.Auth)
        {
            return project;
        }

        foreach (var (name, value) in OidcSettings())
        {
            if (clientSecret || !name.EndsWith("__ClientSecret", StringComparison.OrdinalIgnoreCase))
            {
                project.WithEnvironment(name, value);
            }
        }

        return project;
    }

    private static IEnumerable<(string Name, string Value)> OidcSettings() =>
        Environment.GetEnvironmentVariables().Keys.OfType<string>()
            .Where(name => name.StartsWith(OidcPrefix, StringComparison.OrdinalIgnoreCase))
            .Select(name => (Name: name, Value: Environment.GetEnvironmentVariable(name) ?? string.Empty))
            .Where(setting => setting.Value.Length > 0)
            .OrderBy(setting => setting.Name, StringComparer.Ordinal);
}
