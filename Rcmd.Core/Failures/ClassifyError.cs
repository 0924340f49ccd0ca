namespace Rcmd.Failures;

/// <summary>
/// <c>POST /api/errors/classify</c>: an error text as rclone (or an operator's paste) said it, with the HTTP status rcd
/// answered and the remote it concerns when known.
/// </summary>
public sealed record ClassifyErrorRequest
{
    /// <summary>The longest message accepted (what the classifier reads, <see cref="FailureClassifier.MaxTextLength"/>).</summary>
    public const int MaxMessageLength = FailureClassifier.MaxTextLength;

    /// <summary>The longest remote name accepted.</summary>
    public const int MaxRemoteLength = 200;

    public string? Message { get; init; }

    public int? Status { get; init; }

    public string? Remote { get; init; }
}

/// <summary>What the classifier made of a <see cref="ClassifyErrorRequest"/>: the same <c>normalizedError</c> as API errors and job records.</summary>
/// <param name="NormalizedError">Code, whether a retry may help, and a suggestion.</param>
/// <param name="FailureType"><c>retryable</c>, <c>permanent</c> or <c>partial</c> (see <see cref="Failures.FailureType"/>).</param>
/// <param name="RetryAfterSeconds">The wait the text asked for (<c>Retry-After</c>, "trying again in 30s"), when it did.</param>
/// <param name="Evidence">What decided the code (<see cref="Classification.Evidence"/>), e.g. <c>HTTP 503 + SlowDown (s3)</c>.</param>
public sealed record ClassifyErrorResponse(NormalizedError NormalizedError, string FailureType, double? RetryAfterSeconds = null, string? Evidence = null)
{
    public static ClassifyErrorResponse From(Classification classification)
    {
        ArgumentNullException.ThrowIfNull(classification);
        return new ClassifyErrorResponse(classification.ToNormalizedError(), ToWire(classification.FailureType),
            classification.RetryAfter is { } wait ? Math.Ceiling(wait.TotalSeconds) : null, classification.Evidence);
    }

    public static string ToWire(FailureType type) => type switch
    {
        Failures.FailureType.Retryable => "retryable",
        Failures.FailureType.Permanent => "permanent",
        Failures.FailureType.Partial => "partial",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
