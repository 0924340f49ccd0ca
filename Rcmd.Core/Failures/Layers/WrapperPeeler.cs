using System.Text.RegularExpressions;

namespace Rcmd.Failures.Layers;

/// <summary>
/// Peels rclone's wrappers off an error text so the layers read the innermost cause first: log prefixes
/// (<c>ERROR : path: </c>), <c>Failed to copy:</c>, <c>Failed to lsjson with 2 errors: last error was:</c>,
/// <c>Attempt 1/3 failed with 1 errors and:</c>, <c>error in ListJSON:</c>, <c>error listing:</c>,
/// <c>Failed to create file system for "…":</c>, <c>couldn't …:</c>, <c>failed to …:</c>.
/// </summary>
public static partial class WrapperPeeler
{
    /// <summary>The text after the last wrapper (the whole text when there is none), trimmed.</summary>
    public static string Peel(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var start = 0;
        try
        {
            foreach (Match match in Wrapper().Matches(text))
            {
                start = match.Index + match.Length;
            }
        }
        catch (RegexMatchTimeoutException)
        {
            return text.Trim();
        }

        var inner = text[start..].Trim();
        return inner.Length == 0 ? text.Trim() : inner;
    }

    [GeneratedRegex("""
        (?:^|\n)(?:\d{4}/\d\d/\d\d \d\d:\d\d:\d\d )?(?:ERROR|CRITICAL|NOTICE|Fatal error) ?: (?:[^:\n]{0,300}?: (?=Failed to |error |couldn't |failed to ))?
        | Failed\ to\ [a-zA-Z][\w -]{0,60}?\ with\ \d+\ errors:\ last\ error\ was:\ 
        | Attempt\ \d+/\d+\ failed\ with\ \d+\ errors\ and:\ 
        | Failed\ to\ create\ file\ system\ for\ "[^"\n]*":\ 
        | Failed\ to\ create\ file\ system:\ 
        | \b(?:Failed|failed)\ to\ [a-zA-Z][\w -]{0,40}?:\ (?!\d{3}\b)
        | \berror\ in\ [A-Za-z]+:\ 
        | \berror\ (?:listing|reading\ source\ root\ directory|reading\ destination\ root\ directory):\ 
        | \bcouldn't\ (?!fetch\ token|find\ |connect\ to\ ssh-agent|decrypt|log\ ?in)[a-zA-Z][\w -]{0,40}?:\ (?!\d{3}\b)
        | \bcould\ not\ [a-zA-Z][\w -]{0,40}?:\ 
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant, 250)]
    private static partial Regex Wrapper();
}
