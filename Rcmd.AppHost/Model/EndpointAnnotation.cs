namespace Rcmd.AppHost.Model;

/// <summary>
/// An endpoint a resource listens on, as declared in the app model (Aspire's <c>EndpointAnnotation</c>). Every endpoint
/// listens on loopback; the port is allocated when the app starts.
/// </summary>
internal sealed class EndpointAnnotation(string name, string scheme)
{
    /// <summary>The endpoint's name: <c>http</c> or <c>tcp</c>; it is the <c>{endpoint}</c> in <c>services__{name}__{endpoint}__0</c>.</summary>
    public string Name { get; } = name;

    /// <summary>URL scheme: <c>http</c> or <c>tcp</c>.</summary>
    public string Scheme { get; } = scheme;

    /// <summary>Exactly this port; starting fails with a clear message when it is taken. Default: none (any free port).</summary>
    public int? Port { get; set; }

    /// <summary>This port when it is free, otherwise any free port. Ignored when <see cref="Port"/> is set. Default: none.</summary>
    public int? PreferredPort { get; set; }

    /// <summary>
    /// Meant to be reached from outside the app (a browser). Locally it still listens on loopback; the AppHost highlights
    /// it in the URL table, and a deployment publishes it. Default: false.
    /// </summary>
    public bool IsExternal { get; set; }
}

/// <summary>An endpoint with its port: what a running instance listens on.</summary>
internal sealed record AllocatedEndpoint(EndpointAnnotation Annotation, int Port)
{
    /// <summary>Always loopback: nothing the AppHost starts listens beyond this machine.</summary>
    public const string Host = "127.0.0.1";

    public string Url => $"{Annotation.Scheme}://{Host}:{Port}";
}
