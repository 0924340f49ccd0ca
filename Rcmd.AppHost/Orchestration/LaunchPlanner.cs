using System.Globalization;
using Rcmd.AppHost.Model;
using Rcmd.AppHost.Prerequisites;

namespace Rcmd.AppHost.Orchestration;

/// <summary>
/// Decides how each instance runs: command line, working directory, readiness probe and the environment that wires it
/// to what it references, with Aspire's names (<c>ConnectionStrings__redis</c>, <c>services__api__http__0</c>,
/// <c>OTEL_SERVICE_NAME</c>, …). Pure: nothing starts here.
/// </summary>
internal sealed class LaunchPlanner(Toolchain tools, string dataDirectory, Func<string, string?> hostEnvironment, HttpClient http)
{
    /// <summary>Variables passed to the services as they are when the AppHost has them (Aspire passes its OTLP endpoint).</summary>
    private static readonly string[] PassThrough = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS"];

    public LaunchPlan Plan(DistributedApplicationModel model, IReadOnlyList<ResourceInstance> instances)
    {
        var waves = model.Waves
            .Select(wave => (IReadOnlyList<LaunchSpec>)instances.Where(i => wave.Contains(i.Resource)).Select(i => Spec(i, instances)).ToList())
            .Where(wave => wave.Count > 0)
            .ToList();
        return new LaunchPlan(waves, dataDirectory);
    }

    private LaunchSpec Spec(ResourceInstance instance, IReadOnlyList<ResourceInstance> all) => instance.Resource switch
    {
        RedisResource => Redis(instance),
        RcloneRcdResource rclone => Rclone(instance, rclone),
        ProjectResource project => Project(instance, project, all),
        _ => throw new NotSupportedException($"Resource '{instance.Name}' is of a kind the AppHost cannot run ({instance.Resource.GetType().Name})."),
    };

    /// <summary>redis-server on loopback, AOF on (RDB snapshots off), data under <c>&lt;data&gt;/redis</c>.</summary>
    private LaunchSpec Redis(ResourceInstance instance)
    {
        var port = instance.PrimaryEndpoint.Port.ToString(CultureInfo.InvariantCulture);
        var directory = Path.Combine(dataDirectory, instance.Name);
        return new LaunchSpec(instance, "redis", Require(tools.RedisServer, "redis-server"),
            ["--port", port, "--bind", AllocatedEndpoint.Host, "--dir", directory, "--appendonly", "yes", "--save", "", "--protected-mode", "yes"],
            new Dictionary<string, string>(), directory, new RedisPingProbe(instance.PrimaryEndpoint.Port),
            OrchestrationConstants.InfrastructureReadyTimeout, []);
    }

    /// <summary>
    /// rclone rcd on loopback with a user and a generated password (never <c>--rc-no-auth</c>). The password goes in
    /// <c>RCLONE_RC_PASS</c> rather than on the command line, where any local user could read it with <c>ps</c>.
    /// rclone uses the user's default config file, or <c>RCLONE_CONFIG</c> when set (inherited).
    /// </summary>
    private LaunchSpec Rclone(ResourceInstance instance, RcloneRcdResource rclone)
    {
        var endpoint = instance.PrimaryEndpoint;
        return new LaunchSpec(instance, "rclone rcd", Require(tools.Rclone, "rclone"),
            ["rcd", "--rc-addr", $"{AllocatedEndpoint.Host}:{endpoint.Port}", "--rc-user", rclone.User,
             "--rc-job-expire-duration", rclone.JobExpireDuration],
            new Dictionary<string, string> { ["RCLONE_RC_PASS"] = rclone.Password },
            dataDirectory, new RcloneNoopProbe(http, rclone.GetServiceUrl(endpoint), rclone.User, rclone.Password),
            OrchestrationConstants.InfrastructureReadyTimeout, [rclone.Password]);
    }

    private LaunchSpec Project(ResourceInstance instance, ProjectResource project, IReadOnlyList<ResourceInstance> all)
    {
        var build = tools.Projects.TryGetValue(project.ProjectName, out var b) ? b
            : throw new InvalidOperationException($"No build was checked for {project.ProjectName}.");
        var url = instance.Endpoint("http").Url;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = url,
            ["OTEL_SERVICE_NAME"] = project.Name,
        };
        var aspnetEnvironment = hostEnvironment("ASPNETCORE_ENVIRONMENT") ?? hostEnvironment("DOTNET_ENVIRONMENT") ?? "Development";
        environment["ASPNETCORE_ENVIRONMENT"] = hostEnvironment("ASPNETCORE_ENVIRONMENT") ?? aspnetEnvironment;
        environment["DOTNET_ENVIRONMENT"] = hostEnvironment("DOTNET_ENVIRONMENT") ?? aspnetEnvironment;
        foreach (var name in PassThrough)
        {
            if (hostEnvironment(name) is { Length: > 0 } value)
            {
                environment[name] = value;
            }
        }

        var secrets = new List<string>();
        foreach (var reference in project.References)
        {
            AddReference(environment, reference, all.Where(i => i.Resource == reference).ToList());
            if (reference is RcloneRcdResource rclone)
            {
                secrets.Add(rclone.Password);
            }
        }

        foreach (var (name, value) in project.Environment)
        {
            environment[name] = value;
        }

        if (project.ReplicaIdVariable is { } replicaVariable)
        {
            environment[replicaVariable] = instance.Name;
        }

        var (fileName, arguments) = build.SelfContainedExecutable is { } executable
            ? (executable, Array.Empty<string>())
            : (Require(tools.Dotnet, "dotnet"), new[] { build.TargetPath });
        return new LaunchSpec(instance, "project", fileName, arguments, environment, build.ProjectDirectory,
            new HttpHealthProbe(http, url + project.HealthPath), OrchestrationConstants.ProjectReadyTimeout, secrets);
    }

    /// <summary>What a reference to <paramref name="reference"/> puts into the referencing resource's environment.</summary>
    internal static void AddReference(IDictionary<string, string> environment, IResource reference, IReadOnlyList<ResourceInstance> instances)
    {
        if (instances.Count == 0)
        {
            return;
        }

        if (reference is IResourceWithConnectionString withConnectionString)
        {
            environment[$"ConnectionStrings__{reference.Name}"] = withConnectionString.GetConnectionString(instances[0]);
        }

        if (reference is IResourceWithServiceDiscovery discoverable)
        {
            foreach (var endpoint in discoverable.Endpoints.Where(e => e.Scheme is "http" or "https"))
            {
                for (var index = 0; index < instances.Count; index++)
                {
                    environment[$"services__{reference.Name}__{endpoint.Name}__{index}"] =
                        discoverable.GetServiceUrl(instances[index].Endpoint(endpoint.Name));
                }
            }
        }

        if (reference is IResourceWithReferenceEnvironment extra)
        {
            extra.AddReferenceEnvironment(environment);
        }
    }

    private static string Require(string? path, string program) =>
        path ?? throw new InvalidOperationException($"The prerequisite check did not find {program}.");
}
