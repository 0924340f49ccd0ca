using System.Security.Cryptography;

namespace Rcmd.AppHost.Model;

/// <summary>
/// <c>rclone rcd</c>, rclone's remote-control server, on loopback with generated credentials. Referencing resources get
/// <c>services__{name}__http__0=http://127.0.0.1:{port}/</c>, <c>Rclone__User</c> and <c>Rclone__Password</c>.
/// The password lives only in this object and in the environment of the processes that need it: it is never printed.
/// </summary>
internal sealed class RcloneRcdResource(string name) : IResourceWithServiceDiscovery, IResourceWithReferenceEnvironment
{
    /// <summary>The configuration section the services read (<c>RcloneOptions.Section</c>).</summary>
    public const string OptionsSection = "Rclone";

    public string Name { get; } = name;

    public IList<EndpointAnnotation> Endpoints { get; } = [new EndpointAnnotation("http", "http")];

    /// <summary>The rc user name. Default: <c>rcmd</c>.</summary>
    public string User { get; set; } = "rcmd";

    /// <summary>A fresh random password (32 hex characters) per AppHost run.</summary>
    public string Password { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>How long rcd remembers finished jobs (rclone's default, 60 s, is too short for Rcmd). Default: 24h.</summary>
    public string JobExpireDuration { get; set; } = "24h";

    /// <summary>rcd serves the RC API at its root, so the published URL ends with a slash.</summary>
    public string GetServiceUrl(AllocatedEndpoint endpoint) => endpoint.Url + "/";

    public void AddReferenceEnvironment(IDictionary<string, string> environment)
    {
        environment[$"{OptionsSection}__User"] = User;
        environment[$"{OptionsSection}__Password"] = Password;
    }

    public override string ToString() => $"{Name} (rclone rcd, user {User})";
}
