namespace Rcmd.AppHost.Model;

/// <summary>
/// One running copy of a resource: the resource itself when it has one replica (<c>api</c>), otherwise one per replica
/// (<c>worker-1</c>, <c>worker-2</c>), each with its own ports.
/// </summary>
internal sealed record ResourceInstance(IResource Resource, string Name, int ReplicaIndex, IReadOnlyList<AllocatedEndpoint> Endpoints)
{
    public AllocatedEndpoint Endpoint(string name) =>
        Endpoints.FirstOrDefault(e => e.Annotation.Name == name)
        ?? throw new InvalidOperationException($"Resource '{Name}' has no endpoint '{name}'.");

    public AllocatedEndpoint PrimaryEndpoint => Endpoints[0];
}
