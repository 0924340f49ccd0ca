using System.Text.RegularExpressions;

namespace Rcmd.Jobs;

/// <summary>What makes a string acceptable as an rclone path in a job.</summary>
public static partial class RclonePathRules
{
    private static readonly string[] SecretWords = ["pass", "secret", "token", "key", "auth", "cred", "session"];

    public static IEnumerable<string> Check(string? path, string label)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            yield return $"{label} is required.";
            yield break;
        }

        if (path.Length > JobValidator.MaxPathLength)
        {
            yield return $"{label} is longer than {JobValidator.MaxPathLength} characters.";
            yield break;
        }

        if (path.StartsWith('-'))
        {
            yield return $"{label} starts with '-': paths may not look like command-line flags.";
        }

        if (FlagInside().IsMatch(path))
        {
            yield return $"{label} carries something that looks like a command-line flag (' --…'); options go in the options field.";
        }

        if (path.Any(char.IsControl))
        {
            yield return $"{label} contains control characters.";
        }

        var (prefix, _) = RclonePath.SplitRemote(path);
        if (prefix.Length > 0)
        {
            var name = prefix[..^1];
            if (name.StartsWith(':'))
            {
                var options = name.Split(',', 2) is [_, var opts] ? opts : string.Empty;
                if (name.Length == 1 || !RemoteName().IsMatch(name.Split(',')[0][1..]))
                {
                    yield return $"{label} has an inline backend without a valid name (use ':local:/path', ':s3:bucket', …).";
                }
                else if (options.Split(',').Any(o => SecretWords.Any(w => o.Split('=')[0].Contains(w, StringComparison.OrdinalIgnoreCase))))
                {
                    yield return $"{label} carries credentials in its connection string; configure an rclone remote instead so secrets stay out of jobs and logs.";
                }
            }
            else if (!RemoteName().IsMatch(name))
            {
                yield return $"{label} has an invalid remote name '{name}' (letters, digits, '_', '-', '.', '+', '@' and spaces).";
            }
        }
    }

    [GeneratedRegex(@"\s--[A-Za-z]")]
    private static partial Regex FlagInside();

    [GeneratedRegex(@"^[\w.+@-][\w.+@ -]*$")]
    private static partial Regex RemoteName();
}
