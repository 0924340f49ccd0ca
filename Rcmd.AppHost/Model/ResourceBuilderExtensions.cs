namespace Rcmd.AppHost.Model;

/// <summary>The declarations AppHost.cs uses, named as in Aspire so moving to Aspire.Hosting is a swap of this project.</summary>
internal static class ResourceBuilderExtensions
{
    /// <summary>A <c>redis-server</c> with AOF persistence under the data directory.</summary>
    public static IResourceBuilder<RedisResource> AddRedis(this DistributedApplicationBuilder builder, string name) =>
        builder.AddResource(new RedisResource(name));

    /// <summary>An <c>rclone rcd</c> on loopback with generated credentials and rclone's default config file.</summary>
    public static IResourceBuilder<RcloneRcdResource> AddRcloneRcd(this DistributedApplicationBuilder builder, string name) =>
        builder.AddResource(new RcloneRcdResource(name));

    /// <summary>A .NET project of this repository by project name (e.g. <c>Rcmd.Api</c>), run from its build output.</summary>
    public static IResourceBuilder<ProjectResource> AddProject(this DistributedApplicationBuilder builder, string name, string projectName) =>
        builder.AddResource(new ProjectResource(name, projectName));

    /// <summary>
    /// <paramref name="builder"/> needs <paramref name="source"/>: the source starts first, and its address (connection
    /// string or service URL, plus anything else it publishes) is put into the resource's environment.
    /// </summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> source)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(source);
        if (ReferenceEquals(source.Resource, builder.Resource))
        {
            throw new ArgumentException($"Resource '{builder.Resource.Name}' cannot reference itself.", nameof(source));
        }

        if (!builder.Resource.References.Contains(source.Resource))
        {
            builder.Resource.References.Add(source.Resource);
        }

        return builder;
    }

    /// <summary>Runs <paramref name="replicas"/> copies side by side (0 = declared but not started).</summary>
    public static IResourceBuilder<T> WithReplicas<T>(this IResourceBuilder<T> builder, int replicas) where T : IResourceWithReplicas
    {
        ArgumentOutOfRangeException.ThrowIfNegative(replicas);
        builder.Resource.Replicas = replicas;
        return builder;
    }

    /// <summary>Tells each replica its instance name (<c>worker-1</c>, …) in the variable <paramref name="variable"/>.</summary>
    public static IResourceBuilder<ProjectResource> WithReplicaId(this IResourceBuilder<ProjectResource> builder, string variable)
    {
        builder.Resource.ReplicaIdVariable = variable;
        return builder;
    }

    /// <summary>Marks the http endpoints as meant for a browser: highlighted in the URL table, published on deploy.</summary>
    public static IResourceBuilder<T> WithExternalHttpEndpoints<T>(this IResourceBuilder<T> builder) where T : IResourceWithEndpoints
    {
        foreach (var endpoint in builder.Resource.Endpoints.Where(e => e.Scheme is "http" or "https"))
        {
            endpoint.IsExternal = true;
        }

        return builder;
    }

    /// <summary>Changes the endpoint named <paramref name="name"/> (its port, for instance).</summary>
    public static IResourceBuilder<T> WithEndpoint<T>(this IResourceBuilder<T> builder, string name, Action<EndpointAnnotation> configure)
        where T : IResourceWithEndpoints
    {
        var endpoint = builder.Resource.Endpoints.FirstOrDefault(e => e.Name == name)
            ?? throw new ArgumentException($"Resource '{builder.Resource.Name}' has no endpoint '{name}'.", nameof(name));
        configure(endpoint);
        return builder;
    }

    /// <summary>Sets an environment variable for every instance of the resource.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value)
        where T : IResourceWithEnvironment
    {
        builder.Resource.Environment[name] = value;
        return builder;
    }
}
