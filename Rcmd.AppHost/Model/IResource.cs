namespace Rcmd.AppHost.Model;

/// <summary>Something the AppHost runs: a name unique in the app model (Aspire's <c>IResource</c>).</summary>
internal interface IResource
{
    string Name { get; }
}

/// <summary>A resource that takes environment variables, so it can reference others (Aspire's <c>IResourceWithEnvironment</c>).</summary>
internal interface IResourceWithEnvironment : IResource
{
    /// <summary>The resources this one references; they start (and are ready) before it, and publish their addresses to it.</summary>
    IList<IResource> References { get; }

    /// <summary>Extra variables set with <c>WithEnvironment</c>.</summary>
    IDictionary<string, string> Environment { get; }
}

/// <summary>A resource that listens on one or more endpoints (Aspire's <c>IResourceWithEndpoints</c>).</summary>
internal interface IResourceWithEndpoints : IResource
{
    IList<EndpointAnnotation> Endpoints { get; }
}

/// <summary>
/// A resource others reach through a connection string: a reference sets <c>ConnectionStrings__{name}</c>
/// (Aspire's <c>IResourceWithConnectionString</c>).
/// </summary>
internal interface IResourceWithConnectionString : IResourceWithEndpoints
{
    /// <summary>The connection string, once its endpoints are allocated.</summary>
    string GetConnectionString(ResourceInstance instance);
}

/// <summary>
/// A resource others reach by URL: a reference sets <c>services__{name}__{endpoint}__{index}</c>
/// (Aspire's <c>IResourceWithServiceDiscovery</c>).
/// </summary>
internal interface IResourceWithServiceDiscovery : IResourceWithEndpoints
{
    /// <summary>The URL published for <paramref name="endpoint"/>.</summary>
    string GetServiceUrl(AllocatedEndpoint endpoint) => endpoint.Url;
}

/// <summary>A resource that hands referencing resources more than its address (e.g. credentials).</summary>
internal interface IResourceWithReferenceEnvironment : IResource
{
    void AddReferenceEnvironment(IDictionary<string, string> environment);
}

/// <summary>A resource that can run more than once side by side (Aspire's <c>WithReplicas</c>).</summary>
internal interface IResourceWithReplicas : IResource
{
    int Replicas { get; set; }
}
