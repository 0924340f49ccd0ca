namespace Rcmd.AppHost.Model;

/// <summary>A resource being declared, for chaining <c>With…</c> calls (Aspire's <c>IResourceBuilder&lt;T&gt;</c>).</summary>
internal interface IResourceBuilder<out T> where T : IResource
{
    DistributedApplicationBuilder ApplicationBuilder { get; }

    T Resource { get; }
}

internal sealed class ResourceBuilder<T>(DistributedApplicationBuilder applicationBuilder, T resource) : IResourceBuilder<T>
    where T : IResource
{
    public DistributedApplicationBuilder ApplicationBuilder { get; } = applicationBuilder;

    public T Resource { get; } = resource;
}
