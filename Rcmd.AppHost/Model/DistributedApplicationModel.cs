namespace Rcmd.AppHost.Model;

/// <summary>
/// The declared resources, checked: names unique, references only to declared resources, no cycles. <see cref="Waves"/>
/// is the start order: each wave only references resources of earlier waves.
/// </summary>
internal sealed class DistributedApplicationModel
{
    public DistributedApplicationModel(IReadOnlyList<IResource> resources)
    {
        Resources = resources;
        foreach (var resource in resources.OfType<IResourceWithEnvironment>())
        {
            var unknown = resource.References.FirstOrDefault(r => !resources.Contains(r));
            if (unknown is not null)
            {
                throw new InvalidOperationException($"Resource '{resource.Name}' references '{unknown.Name}', which is not in the app model.");
            }
        }

        Waves = Order(resources);
    }

    public IReadOnlyList<IResource> Resources { get; }

    /// <summary>Resources grouped by start order: first those that reference nothing (redis, rclone), then their users.</summary>
    public IReadOnlyList<IReadOnlyList<IResource>> Waves { get; }

    public static IEnumerable<IResource> ReferencesOf(IResource resource) =>
        resource is IResourceWithEnvironment withReferences ? withReferences.References : [];

    private static List<IReadOnlyList<IResource>> Order(IReadOnlyList<IResource> resources)
    {
        var placed = new HashSet<IResource>();
        var waves = new List<IReadOnlyList<IResource>>();
        while (placed.Count < resources.Count)
        {
            var wave = resources.Where(r => !placed.Contains(r) && ReferencesOf(r).All(placed.Contains)).ToList();
            if (wave.Count == 0)
            {
                var stuck = resources.Where(r => !placed.Contains(r)).Select(r => r.Name);
                throw new InvalidOperationException($"The references between {string.Join(", ", stuck)} form a cycle.");
            }

            waves.Add(wave);
            placed.UnionWith(wave);
        }

        return waves;
    }
}
