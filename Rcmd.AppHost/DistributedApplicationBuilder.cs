using Rcmd.AppHost.Model;

namespace Rcmd.AppHost;

/// <summary>
/// Collects the app model that AppHost.cs declares (Aspire's <c>IDistributedApplicationBuilder</c>). Nothing starts
/// until <see cref="DistributedApplication.Run"/>.
/// </summary>
internal sealed class DistributedApplicationBuilder(AppHostOptions options)
{
    private readonly List<IResource> _resources = [];

    /// <summary>The command line (Aspire has <c>Configuration</c>; our options are few and typed).</summary>
    public AppHostOptions Options { get; } = options;

    public IReadOnlyList<IResource> Resources => _resources;

    public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource
    {
        if (_resources.Any(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' is already declared.");
        }

        _resources.Add(resource);
        return new ResourceBuilder<T>(this, resource);
    }

    public DistributedApplication Build() => new(new DistributedApplicationModel(_resources), Options);
}
