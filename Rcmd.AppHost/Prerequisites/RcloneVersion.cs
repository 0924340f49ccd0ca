using System.Globalization;
using System.Text.RegularExpressions;

namespace Rcmd.AppHost.Prerequisites;

/// <summary>Reads rclone's version from the first line of <c>rclone version</c> (<c>rclone v1.60.1-DEV</c>).</summary>
internal static partial class RcloneVersion
{
    /// <summary>The oldest rclone Rcmd runs on (Debian 12 ships 1.60.1): the RC API Rcmd uses is there since 1.60.</summary>
    public static readonly Version Minimum = new(1, 60);

    public static Version? Parse(string output)
    {
        var match = VersionPattern().Match(output);
        if (!match.Success)
        {
            return null;
        }

        var patch = match.Groups["patch"].Success ? int.Parse(match.Groups["patch"].Value, CultureInfo.InvariantCulture) : 0;
        return new Version(int.Parse(match.Groups["major"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["minor"].Value, CultureInfo.InvariantCulture), patch);
    }

    [GeneratedRegex(@"^rclone v(?<major>\d+)\.(?<minor>\d+)(?:\.(?<patch>\d+))?", RegexOptions.Multiline)]
    private static partial Regex VersionPattern();
}
