namespace Rcmd.Paths;

/// <summary>
/// <c>Rcmd:Paths</c> in configuration (<c>Rcmd__Paths__LocalRoots__0=/srv/transfers</c>,
/// <c>Rcmd__Paths__Roles__operator__Remotes__0=s3prod</c> in the environment): what jobs may read and write in server
/// mode. The rules that hold in both modes (absolute local paths, no <c>..</c>, never Rcmd's data directory) need no
/// setting. Validated once at start.
/// </summary>
public sealed class PathPolicyOptions
{
    public const string Section = "Rcmd:Paths";

    /// <summary>Local directories (on rcd's host) every role may use, with everything under them. Default none.</summary>
    public List<string> LocalRoots { get; set; } = [];

    /// <summary>
    /// Configured remotes (<c>s3prod</c>) or inline backends (<c>:s3</c>) every role may use; <c>*</c> allows any remote
    /// (not the local filesystem: that is <see cref="LocalRoots"/>). Default none.
    /// </summary>
    public List<string> Remotes { get; set; } = [];

    /// <summary>More roots and remotes for one role (<c>viewer</c>, <c>operator</c>, <c>admin</c>), added to the ones above.</summary>
    public Dictionary<string, PathRoleOptions> Roles { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Rcmd's data directory (from <c>Rcmd:DataDir</c>, which the AppHost sets): never a source or a destination, with
    /// everything under it. Unset in a deployment where Rcmd keeps no files next to rcd.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// Whether the allow-lists apply (server mode, <c>Rcmd:Auth:Mode=server</c>). In local mode everything on loopback is the
    /// user's own, and only the rules of both modes hold.
    /// </summary>
    public bool AllowListsApply { get; set; }

    /// <summary>The problems of these settings, one sentence each; empty when they are usable.</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var (role, root) in LocalRoots.Select(r => ("", r))
                     .Concat(Roles.SelectMany(r => r.Value.LocalRoots.Select(root => (r.Key, root)))))
        {
            var name = role.Length == 0 ? $"{Section}:LocalRoots" : $"{Section}:Roles:{role}:LocalRoots";
            if (string.IsNullOrWhiteSpace(root) || !root.StartsWith('/'))
            {
                yield return $"{name} has '{root}': a local root must be an absolute path (from '/').";
            }
            else if (root.Split('/').Contains(".."))
            {
                yield return $"{name} has '{root}': a local root may not contain '..'.";
            }
        }

        foreach (var remote in Remotes.Concat(Roles.SelectMany(r => r.Value.Remotes)))
        {
            if (string.IsNullOrWhiteSpace(remote) || remote.Contains('/') || (remote != "*" && remote.TrimStart(':').Length == 0))
            {
                yield return $"{Section}: remote '{remote}' is not a remote's name (as in 's3prod' or ':s3'), nor '*'.";
            }
        }
    }
}

/// <summary>What one role may use on top of <see cref="PathPolicyOptions.LocalRoots"/> and <see cref="PathPolicyOptions.Remotes"/>.</summary>
public sealed class PathRoleOptions
{
    public List<string> LocalRoots { get; set; } = [];

    public List<string> Remotes { get; set; } = [];
}
