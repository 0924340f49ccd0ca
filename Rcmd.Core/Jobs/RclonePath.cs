namespace Rcmd.Jobs;

/// <summary>
/// An rclone path split the way rcd wants it: <c>fs</c> (a remote with its root, or a local directory) and
/// <c>remote</c> (the file under it). Understands <c>/local/path</c>, <c>name:path</c> and <c>:backend,opt=v:path</c>.
/// </summary>
public readonly record struct RclonePath(string Fs, string Remote)
{
    /// <summary>Splits a file path into its parent fs and its file name: <c>s3:b/d/f.txt</c> → (<c>s3:b/d</c>, <c>f.txt</c>).</summary>
    public static RclonePath SplitFile(string path)
    {
        var (prefix, rest) = SplitRemote(path);
        var slash = rest.LastIndexOf('/');
        return slash < 0
            ? new RclonePath(prefix, rest)
            : new RclonePath(prefix + (slash == 0 ? "/" : rest[..slash]), rest[(slash + 1)..]);
    }

    /// <summary>
    /// The remote a path lives on: the configured remote's name (<c>s3prod</c>), the backend of an inline path
    /// (<c>:s3</c>), or <c>local</c> for a plain path. Circuit breakers and per-remote limits key on this.
    /// </summary>
    public static string RemoteName(string path)
    {
        var (prefix, _) = SplitRemote(path);
        if (prefix.Length == 0)
        {
            return "local";
        }

        var name = prefix[..^1];
        if (name.StartsWith(':'))
        {
            var comma = name.IndexOf(',');
            return comma < 0 ? name : name[..comma];
        }

        return name;
    }

    /// <summary>Whether the path ends in a file name (not a bare remote, not a trailing slash).</summary>
    public static bool NamesFile(string path)
    {
        var (_, rest) = SplitRemote(path);
        return rest.Length > 0 && !rest.EndsWith('/') && rest.TrimEnd('/').Length > 0;
    }

    /// <summary>A form for comparing two paths: no trailing slash.</summary>
    public static string Normalize(string path)
    {
        var (prefix, rest) = SplitRemote(path);
        var trimmed = rest.Length > 1 ? rest.TrimEnd('/') : rest;
        return prefix + trimmed;
    }

    /// <summary>Splits off the <c>remote:</c> prefix (with its colon); empty for a local path.</summary>
    internal static (string Prefix, string Path) SplitRemote(string path)
    {
        if (path.StartsWith('/') || path.StartsWith('.'))
        {
            return (string.Empty, path);
        }

        // An inline backend ":s3,region=x:bucket" may carry colons inside quoted option values; rclone's own rule is
        // the first colon after the backend name and its options. Options are refused when they look like secrets.
        var start = path.StartsWith(':') ? 1 : 0;
        var colon = path.IndexOf(':', start);
        return colon < 0 ? (string.Empty, path) : (path[..(colon + 1)], path[(colon + 1)..]);
    }
}
