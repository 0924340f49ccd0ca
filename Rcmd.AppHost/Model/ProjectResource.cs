namespace Rcmd.AppHost.Model;

/// <summary>
/// A .NET project of this repository, run from its build output (Aspire's <c>ProjectResource</c>). It listens on one
/// <c>http</c> endpoint (<c>ASPNETCORE_URLS</c>) and is ready when <c>GET /health</c> answers 200.
/// </summary>
internal sealed class ProjectResource(string name, string projectName)
    : IResourceWithEnvironment, IResourceWithServiceDiscovery, IResourceWithReplicas
{
    public string Name { get; } = name;

    /// <summary>The project's name, e.g. <c>Rcmd.Api</c>; <see cref="ProjectCatalog"/> knows where its build is.</summary>
    public string ProjectName { get; } = projectName;

    public IList<IResource> References { get; } = [];

    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public IList<EndpointAnnotation> Endpoints { get; } = [new EndpointAnnotation("http", "http")];

    /// <summary>How many copies run side by side, each named <c>{name}-{n}</c> with its own port. Default: 1.</summary>
    public int Replicas { get; set; } = 1;

    /// <summary>
    /// A variable that tells each instance its name (<c>worker-1</c>, <c>worker-2</c>; <c>worker</c> with one replica),
    /// set with <c>WithReplicaId</c>. Default: none.
    /// </summary>
    public string? ReplicaIdVariable { get; set; }

    /// <summary>The readiness path. Default: <c>/health</c> (ServiceDefaults' MapDefaultEndpoints).</summary>
    public string HealthPath { get; set; } = "/health";
}
