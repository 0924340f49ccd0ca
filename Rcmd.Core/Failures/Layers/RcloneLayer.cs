using System.Text.RegularExpressions;
using Rcmd.Failures.Versions;

namespace Rcmd.Failures.Layers;

/// <summary>
/// Layer 4: rclone's own sentinels and RC server texts (<c>job not found</c>, <c>couldn't find method</c>,
/// <c>didn't find backend called</c>, parameter errors) and rcd's log lines. Names rclone rejects are looked up in
/// <see cref="RcloneVersions"/>: known to a release → <c>transfer_engine_incompatible</c> (naming the release),
/// known to none → <c>validation_error</c>.
/// </summary>
public static partial class RcloneLayer
{
    public static Evidence? Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return Unknown(text) ?? EvidenceRule.First(RcloneRules.All, text, "rclone");
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// rclone's verdicts on the request itself (RC input, flags, names, rc authentication): they decide before any
    /// layer, since words inside them ("unexpected EOF" of a truncated JSON body, "--timeout") are not the cause.
    /// </summary>
    public static Evidence? ReadRequest(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return Unknown(text) ?? EvidenceRule.First(RcloneRules.Request, text, "rclone");
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }

    /// <summary>A backend, RC method or flag the running rclone does not know.</summary>
    private static Evidence? Unknown(string text)
    {
        Match m;
        if ((m = UnknownBackend().Match(text)).Success)
        {
            return Versioned(RcloneNameKind.Backend, m.Groups["n"].Value, "backend");
        }

        if ((m = UnknownMethod().Match(text)).Success)
        {
            return Versioned(RcloneNameKind.Method, m.Groups["n"].Value, "RC method");
        }

        if ((m = UnknownFlag().Match(text)).Success)
        {
            return Versioned(RcloneNameKind.Flag, m.Groups["n"].Value, "flag");
        }

        if ((m = UnknownCommand().Match(text)).Success)
        {
            var name = m.Groups["n"].Value;
            return RcloneCommands.Exists(name)
                ? new Evidence(ErrorCodes.TransferEngineIncompatible, "rclone", $"command \"{name}\" of a later rclone",
                    $"The running rclone does not have the command \"{name}\" (a later release added it): upgrade rclone.")
                : new Evidence(ErrorCodes.ValidationError, "rclone", $"command \"{Shorten(name)}\" unknown to every rclone release",
                    "No rclone release has this command: check the command line (a value may have landed where the command goes).");
        }

        return null;
    }

    private static Evidence Versioned(RcloneNameKind kind, string name, string what)
    {
        var display = kind == RcloneNameKind.Flag ? "--" + name.TrimStart('-') : name;
        var version = RcloneVersions.Added(kind, name);
        if (kind == RcloneNameKind.Flag && version == RcloneVersions.Oldest && RcloneVersions.IsCommandFlag(name))
        {
            // A flag of some commands only, in every rclone in use for years: refused, it belongs to another command (--vfs-cache-mode on copy).
            return new Evidence(ErrorCodes.ValidationError, "rclone", $"{what} \"{display}\" of another command (in every release since {RcloneVersions.Oldest})",
                $"The {what} \"{display}\" is not one of this command's: check which command takes it (rclone help flags).");
        }

        if (version is not null)
        {
            var since = version == RcloneVersions.Oldest ? $"rclone {version} or earlier" : $"rclone {version}";
            return new Evidence(ErrorCodes.TransferEngineIncompatible, "rclone", $"{what} \"{display}\" added in {since}",
                $"The running rclone does not have the {what} \"{display}\" ({since} added it, or this build left it out): upgrade rclone.");
        }

        return new Evidence(ErrorCodes.ValidationError, "rclone", $"{what} \"{display}\" unknown to every rclone release",
            $"No rclone release has a {what} called \"{display}\": check the spelling.");
    }

    // fs/registry.go: didn't find backend called "smb"; config/create: couldn't find backend for type "x"
    [GeneratedRegex(@"(?:didn't find backend called|didn't find filing system for|couldn't find backend for type|unknown backend) ""?:?(?<n>[A-Za-z0-9_]+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 250)]
    private static partial Regex UnknownBackend();

    // fs/rc/rcserver: couldn't find method "sync/bisync"
    [GeneratedRegex(@"couldn't find method ""(?<n>[^""\n]+)""", RegexOptions.CultureInvariant, 250)]
    private static partial Regex UnknownMethod();

    private static string Shorten(string name) => name.Length <= 40 ? name : name[..40] + "…";

    // cobra: unknown command "bisync" for "rclone"
    [GeneratedRegex(@"unknown command ""(?<n>[^""\n]{1,200})"" for ""rclone", RegexOptions.CultureInvariant, 250)]
    private static partial Regex UnknownCommand();

    // cobra/pflag: unknown flag: --max-buffer-memory; rc _config: unknown option "X"
    [GeneratedRegex(@"unknown (?:shorthand )?flag: -{1,2}(?<n>[a-z0-9][a-z0-9-]*)", RegexOptions.CultureInvariant, 250)]
    private static partial Regex UnknownFlag();
}
