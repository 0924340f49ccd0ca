namespace Rcmd.AppHost.Model;

/// <summary>
/// <c>redis-server</c> with its data (AOF) under the data directory; referencing resources get
/// <c>ConnectionStrings__{name}=127.0.0.1:{port}</c>.
/// </summary>
internal sealed class RedisResource(string name) : IResourceWithConnectionString
{
    public string Name { get; } = name;

    public IList<EndpointAnnotation> Endpoints { get; } = [new EndpointAnnotation("tcp", "tcp")];

    public string GetConnectionString(ResourceInstance instance) => $"{AllocatedEndpoint.Host}:{instance.PrimaryEndpoint.Port}";
}
