using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Rcmd.Jobs;

namespace Rcmd.Paths;

/// <summary>
/// Which rclone paths a job may read or write (issue 13's path policy). In both modes: a local path is absolute, no path
/// has a <c>..</c> segment, and Rcmd's data directory (Redis's files, rcd's credentials) is never a source or a
/// destination — also when a symbolic link leads there. In server mode, also: local paths lie under a root and remotes
/// are on a list allowed for the caller's role. Local paths are resolved on this process's filesystem, which is rcd's
/// when they run on one host (as <c>./rcmd run</c> does); in a deployment, the allow-list is the guard.
/// </summary>
public sealed class PathPolicy
{
    private const int MaxLinkHops = 40;
    private readonly PathPolicyOptions _options;
    private readonly string? _dataDirectory;
    private readonly ConcurrentDictionary<string, string[]> _resolvedRoots = new(StringComparer.Ordinal);

    public PathPolicy(IOptions<PathPolicyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _dataDirectory = string.IsNullOrWhiteSpace(_options.DataDirectory) ? null : Resolve(Path.GetFullPath(_options.DataDirectory));
    }

    /// <summary>Whether the allow-lists apply (server mode).</summary>
    public bool AllowListsApply => _options.AllowListsApply;

    /// <summary>
    /// The refusals of <paramref name="path"/> (an rclone path as a job carries it) for a caller with
    /// <paramref name="role"/> (null: no signed-in role, as in local mode); empty when the path may be used.
    /// <paramref name="label"/> names the field in messages ("Source").
    /// </summary>
    public IReadOnlyList<PathRefusal> Check(string path, string label, string? role) => Check(path, label, role, _options.AllowListsApply);

    /// <summary>
    /// The refusals under the rules of both modes only (absolute, no <c>..</c>, not the data directory): what a Worker checks
    /// again before it starts a job, whoever submitted it and whenever (a job queued before an upgrade, a retry).
    /// </summary>
    public IReadOnlyList<PathRefusal> CheckAlwaysRules(string path, string label) => Check(path, label, role: null, allowLists: false);

    private IReadOnlyList<PathRefusal> Check(string path, string label, string? role, bool allowLists)
    {
        ArgumentNullException.ThrowIfNull(path);
        var refusals = new List<PathRefusal>();
        var (prefix, rest) = RclonePath.SplitRemote(path.Trim());
        if (rest.Split('/').Contains(".."))
        {
            refusals.Add(new(PathRefusalKind.Invalid, $"{label} has a '..' segment: give the path without it."));
            return refusals;
        }

        var backend = prefix.Length == 0 ? null : RclonePath.RemoteName(path.Trim());
        if (backend is null || backend == ":local")
        {
            CheckLocal(rest, label, role, allowLists, refusals);
            return refusals;
        }

        // Inline backends carry options (":alias,remote=/x:"); a local path among them is held to the local rules.
        foreach (var value in InlineOptionValues(prefix).Where(v => v.StartsWith('/')))
        {
            CheckLocal(value, $"{label}'s inline option", role, allowLists, refusals);
        }

        if (allowLists && !RemoteAllowed(backend, role))
        {
            refusals.Add(new(PathRefusalKind.Denied,
                $"{label} is on remote '{backend}', which role '{role ?? "none"}' may not use ({Describe(AllowedRemotes(role))}). " +
                $"An admin allows it with {PathPolicyOptions.Section.Replace(":", "__", StringComparison.Ordinal)}__Remotes__N or __Roles__{role ?? "<role>"}__Remotes__N."));
        }

        return refusals;
    }

    private void CheckLocal(string local, string label, string? role, bool allowLists, List<PathRefusal> refusals)
    {
        if (!local.StartsWith('/'))
        {
            refusals.Add(new(PathRefusalKind.Invalid,
                $"{label} '{Shorten(local)}' is a relative local path: local paths must be absolute (from '/', as in /srv/data/in)."));
            return;
        }

        var full = Path.GetFullPath(local);
        var resolved = Resolve(full);
        if (_dataDirectory is not null && (IsUnder(full, _dataDirectory) || IsUnder(resolved, _dataDirectory)))
        {
            refusals.Add(new(PathRefusalKind.Denied,
                $"{label} is inside Rcmd's data directory (Redis's files and rcd's credentials): it is never a source or a destination."));
            return;
        }

        if (!allowLists)
        {
            return;
        }

        var roots = ResolvedLocalRoots(role);
        if (roots.Any(root => IsUnder(resolved, root)))
        {
            return;
        }

        var how = roots.Any(root => IsUnder(full, root))
            ? $"leads through a symbolic link to '{Shorten(resolved)}', outside"
            : "is outside";
        refusals.Add(new(PathRefusalKind.Denied,
            $"{label} {how} the local roots role '{role ?? "none"}' may use ({Describe(AllowedLocalRoots(role))})."));
    }

    /// <summary>
    /// The local roots of <paramref name="role"/> with their symbolic links followed, resolved once per role (a check
    /// then walks only the path it checks). A root's links are read when the role is first checked: a link replaced
    /// later takes effect at the next start.
    /// </summary>
    private string[] ResolvedLocalRoots(string? role) =>
        _resolvedRoots.GetOrAdd(role ?? string.Empty, _ => AllowedLocalRoots(role).Select(r => Resolve(Path.GetFullPath(r))).ToArray());

    private IEnumerable<string> AllowedLocalRoots(string? role) =>
        _options.LocalRoots.Concat(role is not null && _options.Roles.TryGetValue(role, out var more) ? more.LocalRoots : []);

    private IEnumerable<string> AllowedRemotes(string? role) =>
        _options.Remotes.Concat(role is not null && _options.Roles.TryGetValue(role, out var more) ? more.Remotes : []);

    private bool RemoteAllowed(string remote, string? role) =>
        role is not null && AllowedRemotes(role).Any(r => r == "*" || string.Equals(r, remote, StringComparison.Ordinal));

    private static string Describe(IEnumerable<string> allowed)
    {
        var list = allowed.ToList();
        return list.Count == 0 ? "none is allowed" : "allowed: " + string.Join(", ", list.Take(10)) + (list.Count > 10 ? ", …" : "");
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or lies under it (both absolute and normalized).</summary>
    internal static bool IsUnder(string path, string root)
    {
        var trimmed = root.Length > 1 ? root.TrimEnd('/') : root;
        return trimmed == "/" || path == trimmed || path.StartsWith(trimmed + "/", StringComparison.Ordinal);
    }

    /// <summary>
    /// <paramref name="full"/> with every symbolic link among its existing parts followed (what <c>realpath</c> gives for
    /// the part that exists, the rest appended as written).
    /// </summary>
    internal static string Resolve(string full)
    {
        var current = "/";
        var parts = new Queue<string>(full.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var hops = 0;
        while (parts.TryDequeue(out var part))
        {
            var next = current == "/" ? "/" + part : current + "/" + part;
            FileSystemInfo info = new FileInfo(next);
            if (!info.Exists)
            {
                info = new DirectoryInfo(next);
            }

            if (info.Exists && info.LinkTarget is { } target && hops++ < MaxLinkHops)
            {
                // Resolve the target the same way: it may be relative and hold links of its own.
                var absolute = Path.GetFullPath(target, current);
                var rest = parts.ToArray();
                parts = new Queue<string>(absolute.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                current = "/";
                continue;
            }

            current = next;
        }

        return current;
    }

    private static IEnumerable<string> InlineOptionValues(string prefix)
    {
        // ":alias,remote=/x,opt=y:" → "/x", "y"
        var name = prefix.TrimEnd(':');
        var comma = name.IndexOf(',');
        return comma < 0
            ? []
            : name[(comma + 1)..].Split(',').Select(o => o.Split('=', 2) is [_, var v] ? v.Trim('"', '\'') : string.Empty);
    }

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
