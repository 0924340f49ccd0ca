namespace Rcmd.Failures;

/// <summary>
/// The one shape of every API error:
/// <c>{ "error": { "message", "normalizedError": { "code", "retryable", "suggestion" }, "fields" } }</c>.
/// </summary>
public sealed record ErrorResponse(ErrorBody Error)
{
    public static ErrorResponse Create(string code, string message, bool retryable = false, string? suggestion = null,
        IReadOnlyDictionary<string, string[]>? fields = null) =>
        new(new ErrorBody(message, new NormalizedError(code, retryable, suggestion), fields));
}

public sealed record ErrorBody(string Message, NormalizedError NormalizedError, IReadOnlyDictionary<string, string[]>? Fields = null);

/// <summary>A provider-agnostic failure: one of <see cref="ErrorCodes"/>, whether trying again may help, and what to do.</summary>
public sealed record NormalizedError(string Code, bool Retryable, string? Suggestion = null);
