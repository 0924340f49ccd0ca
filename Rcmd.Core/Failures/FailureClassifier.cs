using System.ComponentModel;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Rcmd.Failures.Layers;
using Rcmd.Jobs;
using Rcmd.Rclone;

namespace Rcmd.Failures;

/// <summary>Which codes are retried, and the rule table to use.</summary>
public sealed class FailureClassifierOptions
{
    /// <summary>The taxonomy's default: <c>rate_limited</c>, <c>endpoint_unreachable</c>, <c>upstream_timeout</c>, <c>network_error</c>.</summary>
    public static IReadOnlySet<string> DefaultRetryableCodes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        ErrorCodes.RateLimited, ErrorCodes.EndpointUnreachable, ErrorCodes.UpstreamTimeout, ErrorCodes.NetworkError,
    };

    /// <summary>Codes whose failures are <see cref="Classification.Retryable"/>. Default: <see cref="DefaultRetryableCodes"/>.</summary>
    public IReadOnlySet<string> RetryableCodes { get; init; } = DefaultRetryableCodes;

    /// <summary>Rules tried before <see cref="FailureRules.All"/> (site-specific messages). Default: none.</summary>
    public IReadOnlyList<FailureRule> ExtraRules { get; init; } = [];
}

/// <summary>
/// The one classifier (failure-taxonomy.md; issue 3 §1): turns what rclone or the OS said into a
/// <see cref="Classification"/>. Pure — no I/O, no clock — so the Api, the Worker, the dashboard and the tests all
/// classify the same way.
/// <para>
/// Order of evidence: a .NET exception whose type settles it (a refused socket, a timeout, rclone that cannot be
/// started); else the site's extra rules; else the text, layer by layer (issue 16) — rclone's wrappers are peeled
/// (<see cref="WrapperPeeler"/>) and the innermost error is read first, then the whole text: the provider's code and
/// HTTP status in its backend's format (<see cref="ProviderLayer"/>), Go network errors (<see cref="NetworkLayer"/>),
/// OS errors and launchers that could not find rclone (<see cref="OsLayer"/>), rclone's sentinels, RC texts and
/// version knowledge (<see cref="RcloneLayer"/>); else the legacy rule table (<see cref="FailureRules.All"/>); else a name shaped like a provider code, read by its words (<see cref="CodeWords"/>); else
/// the HTTP status rcd answered with; else <c>unknown</c>. <see cref="Classification.Evidence"/> names what decided.
/// </para>
/// <para>
/// Statuses (<see cref="ProviderCodes.ForStatus"/>, issue 16's labelling rules): 429, 503 → rate_limited; 401 →
/// invalid_credentials; 403 → access_denied; 404, 410 → not_found; 409, 412, 423 → conflict; 400, 405, 413, 422 →
/// validation_error; 408, 504 → upstream_timeout; 502 → network_error. 500, 501, 507 → nothing: rcd answers 500 for
/// almost every error it does not type, and full storage has no code of its own (<c>unknown</c>, with a suggestion
/// naming the quota). Such texts land in the unknown-error capture so a rule can be added.
/// </para>
/// </summary>
public sealed partial class FailureClassifier(FailureClassifierOptions? options = null)
{
    /// <summary>Longest text the rules look at; rclone's messages are short, a pasted log is cut here.</summary>
    public const int MaxTextLength = 16 * 1024;

    private readonly FailureClassifierOptions _options = options ?? new FailureClassifierOptions();

    /// <summary>A classifier with the taxonomy's defaults.</summary>
    public static FailureClassifier Default { get; } = new();

    public Classification Classify(string? message, int? status = null, string? remote = null) =>
        Classify(FailureInput.FromText(message, status, remote));

    public Classification Classify(Exception exception, string? remote = null, bool callerCanceled = false) =>
        Classify(FailureInput.FromException(exception, remote, callerCanceled));

    public Classification Classify(FailureInput input)
    {
        ArgumentNullException.ThrowIfNull(input);

        var facts = input.Exception is { } exception ? Inspect(exception, input.CallerCanceled) : default;
        var text = Truncate(input.Message ?? facts.Text);
        var evidence = facts.Code is { } factCode ? new Evidence(factCode, "exception", input.Exception!.GetType().Name) : null;
        int? ruleNumber = null;

        if (evidence is null && text is { Length: > 0 })
        {
            (evidence, ruleNumber) = ReadText(text);
        }

        if (evidence is null && facts.FallbackCode is { } fallback)
        {
            evidence = new Evidence(fallback, "exception", input.Exception!.GetType().Name);
        }

        if (evidence is null && (input.Status ?? facts.Status) is { } status && StatusCode(status) is { } byStatus)
        {
            evidence = new Evidence(byStatus, "status", $"rcd HTTP {status}");
        }

        var code = evidence?.Code ?? ErrorCodes.Unknown;
        var hint = evidence?.Hint;

        var retryAfter = input.RetryAfter ?? facts.RetryAfter ?? (text is null ? null : ParseRetryAfter(text));
        var remote = string.IsNullOrWhiteSpace(input.Remote) ? InferRemote(text) : input.Remote.Trim();
        var retryable = _options.RetryableCodes.Contains(code);
        var type = retryable ? FailureType.Retryable
            : code == ErrorCodes.Unknown || (text is not null && PartialRun().IsMatch(text)) ? FailureType.Partial
            : FailureType.Permanent;

        return new Classification(code, retryable, type, Suggest(code, hint, remote, retryAfter), retryAfter)
        {
            Remote = remote,
            Rule = ruleNumber,
            Evidence = evidence?.Text,
            EvidenceLayer = evidence?.Layer,
        };
    }

    /// <summary>Whether the taxonomy retries <paramref name="code"/> by default.</summary>
    public static bool IsRetryableByDefault(string code) => FailureClassifierOptions.DefaultRetryableCodes.Contains(code);

    /// <summary>The code an HTTP status means when the text says nothing; null for 500 and statuses that mean nothing.</summary>
    public static string? StatusCode(int? status) => status is { } value ? ProviderCodes.ForStatus(value) : null;

    /// <summary>
    /// A wait the text asks for: "Retry-After: 30", "retry after 30s", rclone's pacer "trying again in 1m30s",
    /// Dropbox's "Trying again in 300 seconds", fserrors' "try again after 2025-01-01T00:00:00Z (29.9s)".
    /// HTTP-date forms are not read (that needs a clock); null when there is none.
    /// </summary>
    public static TimeSpan? ParseRetryAfter(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            var after = TryAgainAfterTime().Match(text);
            if (after.Success && GoDuration.TryParse(after.Groups["d"].Value, out var fromTime))
            {
                return fromTime < TimeSpan.Zero ? TimeSpan.Zero : fromTime;
            }

            foreach (var match in new[] { RetryAfterHeader().Match(text), RetryAfterWords().Match(text) })
            {
                if (match.Success && ToDuration(match.Groups["v"].Value, match.Groups["u"].Value) is { } value)
                {
                    return value;
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
        }

        return null;
    }

    /// <summary>
    /// Site rules first; then the innermost error (wrappers peeled) and then the whole text, each read layer by layer —
    /// provider, network, OS, rclone; then the legacy rule table on the whole text; then a name shaped like a
    /// provider code that no list names, read by its words.
    /// </summary>
    private (Evidence? Evidence, int? Rule) ReadText(string text)
    {
        // A message quoted inside JSON (an RC reply, a launcher's log) has its quotes escaped: {"error": "couldn't find method \"x\""}.
        text = text.Replace("\\\"", "\"", StringComparison.Ordinal);
        var extra = MatchRule(_options.ExtraRules, text);
        if (extra is { } e)
        {
            return (new Evidence(_options.ExtraRules[e].Code, "site rule", _options.ExtraRules[e].Source, _options.ExtraRules[e].Hint), e - _options.ExtraRules.Count);
        }

        if (RcloneLayer.ReadRequest(text) is { } request)
        {
            return (request, null);
        }

        var inner = WrapperPeeler.Peel(text);
        foreach (var candidate in inner == text ? [text] : new[] { inner, text })
        {
            if ((ProviderLayer.Read(candidate) ?? NetworkLayer.Read(candidate) ?? OsLayer.Read(candidate) ?? RcloneLayer.Read(candidate)) is { } found)
            {
                // The rule table's suggestions are finer than the codes' defaults: borrow one that agrees.
                return (found.Hint is null && HintFor(found.Code, text) is { } hint ? found with { Hint = hint } : found, null);
            }
        }

        if (MatchRule(FailureRules.All, text) is { } index)
        {
            var rule = FailureRules.All[index];
            return (new Evidence(rule.Code, "rule", rule.Source, rule.Hint), index);
        }

        return (ProviderLayer.ReadCodeWords(text), null);
    }

    private static string? HintFor(string code, string text)
    {
        foreach (var rule in FailureRules.All)
        {
            try
            {
                if (rule.Code == code && rule.Hint is not null && rule.Pattern.IsMatch(text))
                {
                    return rule.Hint;
                }
            }
            catch (RegexMatchTimeoutException)
            {
            }
        }

        return null;
    }

    private static int? MatchRule(IReadOnlyList<FailureRule> rules, string text)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            try
            {
                if (rules[i].Pattern.IsMatch(text))
                {
                    return i;
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological text must not break classification: skip the rule.
            }
        }

        return null;
    }

    private static string? InferRemote(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var match = FileSystemFor().Match(text);
        return match.Success ? RclonePath.RemoteName(match.Groups["path"].Value) : null;
    }

    private static string Suggest(string code, string? hint, string? remote, TimeSpan? retryAfter)
    {
        var template = hint ?? DefaultSuggestion(code);
        var (display, name) = remote switch
        {
            null or "" => ("the remote", "<remote>"),
            "local" => ("the local file system", "local"),
            _ => ($"remote {remote}", remote.TrimStart(':')),
        };
        var text = template.Replace("{remote}", display, StringComparison.Ordinal).Replace("{name}", name, StringComparison.Ordinal);
        if (retryAfter is { } wait && code == ErrorCodes.RateLimited)
        {
            text += $" The server asked to wait {GoDuration.Format(wait)}.";
        }

        return text.Length > 0 ? char.ToUpperInvariant(text[0]) + text[1..] : text;
    }

    internal static string DefaultSuggestion(string code) => code switch
    {
        ErrorCodes.InvalidCredentials => "Check the credentials (key, password or token) configured for {remote}.",
        ErrorCodes.AccessDenied => "{remote} refused access: check the permissions of the account for this path.",
        ErrorCodes.SignatureMismatch => "The request signature was rejected: check the secret key of {remote}.",
        ErrorCodes.RequestTimeSkewed => "This machine's clock is too far from the server's time of {remote}: sync the clock (NTP) and retry.",
        ErrorCodes.EndpointUnreachable => "{remote} could not be reached: check its endpoint, host and port and that the service is up. Rcmd retries automatically.",
        ErrorCodes.UpstreamTimeout => "{remote} did not answer in time. Rcmd retries automatically; if it persists, check the network or raise rclone's --timeout.",
        ErrorCodes.NetworkError => "The connection to {remote} broke off. Rcmd retries automatically.",
        ErrorCodes.TransferEngineMissing => "rclone could not be started: install it, or point RCLONE_PATH (or PATH) at the rclone binary.",
        ErrorCodes.TransferEngineIncompatible => "The running rclone is too old for this request: upgrade rclone (see core/version).",
        ErrorCodes.NotFound => "The path does not exist on {remote}: check the bucket, directory and file names.",
        ErrorCodes.Conflict => "The target on {remote} is locked, already exists or changed meanwhile: resolve that, then run the job again.",
        ErrorCodes.RateLimited => "{remote} is rate limiting requests. Rcmd backs off and retries; fewer --transfers or a --tpslimit may help.",
        ErrorCodes.Canceled => "The job was canceled; submit it again to run it.",
        ErrorCodes.ServerRestarted => "rclone or the server restarted during the run; submit the job again (copy and sync are safe to re-run).",
        ErrorCodes.ValidationError => "The request is not valid for {remote}: fix the named field or path and submit again.",
        _ => "Unrecognised error: read the message; operators can test patterns with POST /api/errors/classify.",
    };

    private static string? Truncate(string? text) => text is { Length: > MaxTextLength } ? text[..MaxTextLength] : text;

    private static TimeSpan? ToDuration(string number, string unit)
    {
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            return null;
        }

        switch (unit.ToLowerInvariant())
        {
            case "" or "s" or "sec" or "secs" or "second" or "seconds":
                return TimeSpan.FromSeconds(amount);
            case "min" or "mins" or "minute" or "minutes":
                return TimeSpan.FromMinutes(amount);
            default:
                return GoDuration.TryParse(number + unit, out var value) && value >= TimeSpan.Zero ? value : null;
        }
    }

    // ── Exceptions ──────────────────────────────────────────────────────────────────────────────────────────

    /// <summary>What an exception tells: a definite code, or text (and status) for the rules, or a code for when they say nothing.</summary>
    private readonly record struct ExceptionFacts(string? Code, string? Text, int? Status, string? FallbackCode, TimeSpan? RetryAfter);

    private static ExceptionFacts Inspect(Exception exception, bool callerCanceled)
    {
        switch (exception)
        {
            case AggregateException aggregate when aggregate.InnerExceptions.Count == 1:
                return Inspect(aggregate.InnerExceptions[0], callerCanceled);

            case RcloneException rclone:
                return new(null, rclone.Error, rclone.Status, null, null);

            case OperationCanceledException canceled:
                // HttpClient gives up with TaskCanceledException (inner TimeoutException); a user's cancel fires the caller's token.
                var timedOut = !callerCanceled && (canceled is TaskCanceledException || canceled.InnerException is TimeoutException);
                return new(timedOut ? ErrorCodes.UpstreamTimeout : ErrorCodes.Canceled, canceled.Message, null, null, null);

            case TimeoutException timeout:
                return new(ErrorCodes.UpstreamTimeout, timeout.Message, null, null, null);

            case HttpRequestException http:
                return InspectHttp(http);

            case SocketException socket:
                return new(SocketCode(socket.SocketErrorCode), socket.Message, null, null, null);

            case Win32Exception win32 when win32.NativeErrorCode is 2 or 3 or 8 or 13 or 193
                || win32.Message.Contains("start process", StringComparison.OrdinalIgnoreCase):
                // Process.Start of rclone: ENOENT (2), ENOEXEC (8), EACCES (13); on Windows also 3 and 193.
                return new(ErrorCodes.TransferEngineMissing, win32.Message, null, null, null);

            case FileNotFoundException missing:
                var isRclone = (missing.FileName ?? missing.Message).Contains("rclone", StringComparison.OrdinalIgnoreCase);
                return new(isRclone ? ErrorCodes.TransferEngineMissing : ErrorCodes.NotFound, missing.Message, null, null, null);

            case DirectoryNotFoundException directory:
                return new(ErrorCodes.NotFound, directory.Message, null, null, null);

            case UnauthorizedAccessException denied:
                return new(ErrorCodes.AccessDenied, denied.Message, null, null, null);

            case IOException io:
                return FindInner<SocketException>(io) is { } inner
                    ? new(SocketCode(inner.SocketErrorCode), io.Message, null, null, null)
                    : new(null, io.Message, null, ErrorCodes.NetworkError, null);
        }

        // Polly.Core's rejections, by name so the shared library needs no Polly reference.
        var typeName = exception.GetType().Name;
        if (typeName == "TimeoutRejectedException")
        {
            return new(ErrorCodes.UpstreamTimeout, exception.Message, null, null, null);
        }

        if (typeName is "BrokenCircuitException" or "IsolatedCircuitException")
        {
            var retryAfter = exception.GetType().GetProperty("RetryAfter")?.GetValue(exception) as TimeSpan?;
            return new(ErrorCodes.EndpointUnreachable, exception.Message, null, null, retryAfter);
        }

        return new(null, exception.Message, null, null, null);
    }

    private static ExceptionFacts InspectHttp(HttpRequestException http)
    {
        if (FindInner<SocketException>(http) is { } socket)
        {
            return new(SocketCode(socket.SocketErrorCode), http.Message, null, null, null);
        }

        if (http.StatusCode is { } status)
        {
            return new(null, http.Message, (int)status, null, null);
        }

        var code = http.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.ProxyTunnelError
                => ErrorCodes.EndpointUnreachable,
            HttpRequestError.SecureConnectionError or HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse
                or HttpRequestError.HttpProtocolError or HttpRequestError.VersionNegotiationError
                => ErrorCodes.NetworkError,
            HttpRequestError.UserAuthenticationError => ErrorCodes.InvalidCredentials,
            _ => null,
        };
        return code is not null
            ? new(code, http.Message, null, null, null)
            : new(null, http.InnerException?.Message ?? http.Message, null, ErrorCodes.NetworkError, null);
    }

    private static string SocketCode(SocketError error) => error switch
    {
        SocketError.TimedOut => ErrorCodes.UpstreamTimeout,
        SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.HostDown
            or SocketError.NetworkUnreachable or SocketError.NetworkDown or SocketError.TryAgain or SocketError.NoData
            or SocketError.AddressNotAvailable => ErrorCodes.EndpointUnreachable,
        _ => ErrorCodes.NetworkError,
    };

    private static T? FindInner<T>(Exception exception) where T : Exception
    {
        for (var current = exception.InnerException; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }

    // ── Patterns used outside the rule table ────────────────────────────────────────────────────────────────

    // rclone's sync: "Attempt 1/3 failed with 7 errors and: …", "not deleting files as there were IO errors"
    [GeneratedRegex(@"not deleting (?:files|directories) as there were IO errors|failed with (?:[2-9]|\d{2,}) errors", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 250)]
    private static partial Regex PartialRun();

    // rclone's "Failed to create file system for "s3prod:bucket": …" names the remote.
    [GeneratedRegex(@"file system for ""(?<path>[^""]+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 250)]
    private static partial Regex FileSystemFor();

    // fserrors.ErrorRetryAfter: "try again after 2025-01-01T00:00:00.5Z (29.5s)"
    [GeneratedRegex(@"try again after \S+ \((?<d>-?[\d.]+[a-zµμ]+(?:[\d.]+[a-zµμ]+)*)\)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 250)]
    private static partial Regex TryAgainAfterTime();

    // "Retry-After: 30", "Retry-After:[30]" (Go header dump), "retry-after=30"
    [GeneratedRegex(@"Retry-After[""']?\s*[:=]\s*\[?[""']?(?<v>\d+(?:\.\d+)?)(?<u>[a-zµμ]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 250)]
    private static partial Regex RetryAfterHeader();

    // "retry after 30s", "retrying in 1m30s", pacer "trying again in 30s", Dropbox "Trying again in 300 seconds", "retry in 2 minutes"
    [GeneratedRegex(@"\b(?:retry(?:ing)?|try(?:ing)? again)\s+(?:after|in)\s+(?<v>\d+(?:\.\d+)?)\s*(?<u>[a-zµμ]+(?:\d+(?:\.\d+)?[a-zµμ]+)*)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 250)]
    private static partial Regex RetryAfterWords();
}
