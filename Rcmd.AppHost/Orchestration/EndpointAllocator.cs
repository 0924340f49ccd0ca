using Rcmd.AppHost.Model;

namespace Rcmd.AppHost.Orchestration;

/// <summary>
/// Turns the model into instances with ports: one instance per resource, or one per replica (<c>worker-1</c>,
/// <c>worker-2</c>), each endpoint of each instance on its own loopback port.
/// </summary>
internal static class EndpointAllocator
{
    public static IReadOnlyList<ResourceInstance> Allocate(DistributedApplicationModel model, PortAllocator ports)
    {
        var instances = new List<ResourceInstance>();
        foreach (var resource in model.Waves.SelectMany(w => w))
        {
            var replicas = resource is IResourceWithReplicas r ? r.Replicas : 1;
            for (var index = 1; index <= replicas; index++)
            {
                var name = replicas == 1 ? resource.Name : $"{resource.Name}-{index}";
                var endpoints = resource is IResourceWithEndpoints withEndpoints
                    ? withEndpoints.Endpoints.Select(e => new AllocatedEndpoint(e,
                        ports.Allocate($"{name} ({e.Name})", index == 1 ? e.Port : null, index == 1 ? e.PreferredPort : null))).ToList()
                    : [];
                instances.Add(new ResourceInstance(resource, name, index, endpoints));
            }
        }

        return instances;
    }
}
