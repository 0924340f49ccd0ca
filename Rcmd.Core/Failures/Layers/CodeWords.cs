using System.Text.RegularExpressions;

namespace Rcmd.Failures.Layers;

/// <summary>
/// A provider code no list names, read by its words: <c>DiskPathDoesntExistsError</c> (Yandex),
/// <c>access_denied_insufficient_permissions</c> (Box), <c>item_name_invalid</c>. Providers name their codes in
/// words, and the same few words carry the meaning across providers (not found, exists, in use, locked, quota,
/// throttled, unauthorized, forbidden, invalid …), so a code never seen before still says what happened. Only
/// tokens shaped like codes are read (CamelCase of two words or more, or snake_case), so a plain word in a
/// sentence is not; the first group that matches wins, the most specific first.
/// </summary>
public static partial class CodeWords
{
    private static readonly (string Code, Regex Words)[] Groups =
    [
        (ErrorCodes.Unknown, QuotaWords()),
        (ErrorCodes.RateLimited, RateWords()),
        (ErrorCodes.RequestTimeSkewed, SkewWords()),
        (ErrorCodes.SignatureMismatch, SignatureWords()),
        (ErrorCodes.InvalidCredentials, CredentialWords()),
        (ErrorCodes.AccessDenied, DeniedWords()),
        (ErrorCodes.NotFound, MissingWords()),
        (ErrorCodes.Conflict, ConflictWords()),
        (ErrorCodes.UpstreamTimeout, TimeoutWords()),
        (ErrorCodes.RateLimited, UnavailableWords()),
        (ErrorCodes.ValidationError, InvalidWords()),
        (ErrorCodes.Unknown, InternalWords()),
    ];

    /// <summary>Whether <paramref name="token"/> is shaped like a provider code rather than a word of a sentence.</summary>
    public static bool LooksLikeCode(string token) =>
        token.Length >= 6 && (token.Contains('_', StringComparison.Ordinal) || CamelCase().IsMatch(token));

    /// <summary>
    /// The taxonomy code <paramref name="token"/> names by its words; null when its words say nothing, or when
    /// <paramref name="shapedOnly"/> and it is not shaped like a code (a caller that knows the token is a code by its
    /// place in the text passes false).
    /// </summary>
    public static string? Read(string token, bool shapedOnly = true)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (shapedOnly && !LooksLikeCode(token))
        {
            return null;
        }

        var words = " " + Words(token) + " ";
        foreach (var (code, pattern) in Groups)
        {
            if (pattern.IsMatch(words))
            {
                return code;
            }
        }

        return null;
    }

    /// <summary>"DiskPathPointsToExistentDirectoryError" → "disk path points to existent directory error"; "item_name_in_use" → "item name in use".</summary>
    public static string Words(string token) =>
        WordStart().Replace(token, " ").Replace('_', ' ').Replace('.', ' ').Trim().ToLowerInvariant();

    [GeneratedRegex(@"^[A-Za-z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$", RegexOptions.CultureInvariant)]
    private static partial Regex CamelCase();

    [GeneratedRegex(@"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", RegexOptions.CultureInvariant)]
    private static partial Regex WordStart();

    [GeneratedRegex(@" (?:quota|over ?quota|insufficient (?:space|storage)|storage (?:limit|full|exhausted)|no space|not enough space|space (?:exhausted|exceeded)|out of space|disk full) ", RegexOptions.CultureInvariant)]
    private static partial Regex QuotaWords();

    [GeneratedRegex(@" (?:rate ?limit\w*|throttl\w*|too many (?:requests|operations|write operations|calls)|slow down|flood) ", RegexOptions.CultureInvariant)]
    private static partial Regex RateWords();

    [GeneratedRegex(@" (?:clock skew|time (?:too )?skewed|request (?:time )?expired) ", RegexOptions.CultureInvariant)]
    private static partial Regex SkewWords();

    [GeneratedRegex(@" signature (?:does not match|mismatch|invalid|not match) | (?:invalid|bad) signature ", RegexOptions.CultureInvariant)]
    private static partial Regex SignatureWords();

    [GeneratedRegex(@" (?:unauthori[sz]ed|unauthenticated|not authenticated|authentication (?:failed|required|error)|auth (?:failed|error|required|invalid)|(?:invalid|expired|bad|missing|revoked) (?:auth |access |session |refresh )?(?:token|credentials?|password|api key|login)|(?:token|credentials?|session|login) (?:invalid|expired|revoked|required|failed)|login (?:failed|required|incorrect)|wrong password|captcha) ", RegexOptions.CultureInvariant)]
    private static partial Regex CredentialWords();

    [GeneratedRegex(@" (?:forbidden|access denied|denied|permission|permissions|not allowed|not permitted|no access|read only|insufficient (?:rights|privileges)) ", RegexOptions.CultureInvariant)]
    private static partial Regex DeniedWords();

    [GeneratedRegex(@" (?:not found|notfound|does ?n[o']?t exists?|not exists?|no such|doesnt exists?|nonexistent|non existent) ", RegexOptions.CultureInvariant)]
    private static partial Regex MissingWords();

    [GeneratedRegex(@" (?:already exists?|exists|existent|existing|in use|conflict|locked|lock|not empty|precondition|(?:condition|policy) not met|modified|etag mismatch) ", RegexOptions.CultureInvariant)]
    private static partial Regex ConflictWords();

    [GeneratedRegex(@" (?:timeout|timed out|time out) ", RegexOptions.CultureInvariant)]
    private static partial Regex TimeoutWords();

    [GeneratedRegex(@" (?:unavailable|busy|overloaded) ", RegexOptions.CultureInvariant)]
    private static partial Regex UnavailableWords();

    [GeneratedRegex(@" (?:invalid|malformed|validation|bad request|illegal|too long|too large|unsupported|not supported) ", RegexOptions.CultureInvariant)]
    private static partial Regex InvalidWords();

    [GeneratedRegex(@" (?:internal|server error|unexpected error|unknown error) ", RegexOptions.CultureInvariant)]
    private static partial Regex InternalWords();
}
