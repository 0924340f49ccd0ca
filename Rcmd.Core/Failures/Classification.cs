using Rcmd.Jobs;

namespace Rcmd.Failures;

/// <summary>The seed's failure types (resilience-patterns.md, "Failure classification").</summary>
public enum FailureType
{
    /// <summary>Trying again may help (network, timeouts, rate limits): retried with backoff.</summary>
    Retryable,

    /// <summary>Trying again will fail the same way until someone changes something (credentials, paths, permissions).</summary>
    Permanent,

    /// <summary>
    /// The run may have done part of its work and the cause is unclear: rclone reported several errors, or the error
    /// is unknown. Not retried automatically; a re-run resumes (copy and sync skip what is already there).
    /// </summary>
    Partial,
}

/// <summary>
/// What a failure was, in provider-agnostic terms: one of <see cref="ErrorCodes"/>, whether a retry may help, the
/// seed's <see cref="Failures.FailureType"/>, a short suggestion for a human, and the server's <c>Retry-After</c> when
/// the text carried one.
/// </summary>
public sealed record Classification(
    string Code,
    bool Retryable,
    FailureType FailureType,
    string Suggestion,
    TimeSpan? RetryAfter = null)
{
    /// <summary>The remote the suggestion names, when known.</summary>
    public string? Remote { get; init; }

    /// <summary>
    /// The index in <see cref="FailureRules.All"/> of the rule that matched, for triage (negative for
    /// <see cref="FailureClassifierOptions.ExtraRules"/>); null when no rule did and a status or the exception decided.
    /// </summary>
    public int? Rule { get; init; }

    /// <summary>
    /// What decided, for operators and tests: <c>HTTP 503 + SlowDown (s3)</c>, <c>connection refused</c>,
    /// <c>EACCES (permission denied)</c>; null when nothing did (<c>unknown</c>).
    /// </summary>
    public string? Evidence { get; init; }

    /// <summary>
    /// The layer that read <see cref="Evidence"/>: <c>provider</c>, <c>network</c>, <c>os</c>, <c>rclone</c>,
    /// <c>rule</c> (the legacy table), <c>site rule</c>, <c>status</c> (rcd's HTTP status) or <c>exception</c>.
    /// </summary>
    public string? EvidenceLayer { get; init; }

    /// <summary>The <c>error.normalizedError</c> of API responses.</summary>
    public NormalizedError ToNormalizedError() => new(Code, Retryable, Suggestion);

    /// <summary>The error a job records, with the message redacted of secrets, and the suggestion.</summary>
    public JobError ToJobError(string message) =>
        new() { Code = Code, Message = SecretRedactor.Redact(message), Retryable = Retryable, Suggestion = Suggestion, Evidence = Evidence };
}
