using System.Collections.Frozen;

namespace Rcmd.Failures.Versions;

/// <summary>
/// rclone's top-level commands, from the command index of rclone's documentation (rclone.org/commands, v1.72). An
/// "unknown command" naming one of them means the running rclone predates it; any other name is a typo or a value
/// given where a command was expected.
/// </summary>
public static class RcloneCommands
{
    private static readonly FrozenSet<string> Names = (
        "about archive authorize backend bisync cat check checksum cleanup cmount completion config convmv copy copyto " +
        "copyurl cryptcheck cryptdecode dedupe delete deletefile genautocomplete gendocs gitannex hashsum help link " +
        "listremotes ls lsd lsf lsjson lsl md5sum mkdir mount move moveto ncdu nfsmount obscure purge rc rcat rcd rmdir " +
        "rmdirs selfupdate serve settier sha1sum size sync test touch tree version")
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Whether some rclone release has the top-level command <paramref name="name"/>.</summary>
    public static bool Exists(string name) => Names.Contains(name);
}
