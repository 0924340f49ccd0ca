using System.Diagnostics.CodeAnalysis;

namespace Rcmd.Web.Services;

/// <summary>What went wrong with an Api call, in a form components can show.</summary>
public enum ApiErrorKind
{
    /// <summary>The Api could not be reached (refused, timed out, DNS, broken connection).</summary>
    Unreachable,

    /// <summary>400: the request was refused; <see cref="ApiError.Fields"/> says which fields and why.</summary>
    Invalid,

    /// <summary>404.</summary>
    NotFound,

    /// <summary>409: the resource is in a state that does not allow the action (e.g. cancel a finished job).</summary>
    Conflict,

    /// <summary>401 or 403: the Api key is missing or wrong.</summary>
    Unauthorized,

    /// <summary>Any other failure: a 5xx, an unexpected status or a body the client could not read.</summary>
    Failed,
}

/// <summary>
/// An Api failure: the message of the Api's <c>ErrorResponse</c> (or one the client wrote when there was none),
/// its normalized code, and the field-level messages of a validation error. Carries nothing secret.
/// </summary>
public sealed record ApiError(ApiErrorKind Kind, string Message)
{
    private static readonly IReadOnlyDictionary<string, string[]> NoFields = new Dictionary<string, string[]>();

    public int? StatusCode { get; init; }

    /// <summary>One of <see cref="Failures.ErrorCodes"/>, when the Api sent one.</summary>
    public string? Code { get; init; }

    public bool Retryable { get; init; }
    public string? Suggestion { get; init; }
    public IReadOnlyDictionary<string, string[]> Fields { get; init; } = NoFields;

    public static ApiError Unreachable(Uri? baseAddress) => new(ApiErrorKind.Unreachable,
        $"Api unreachable: the Rcmd Api at {baseAddress?.ToString() ?? "(no address configured)"} did not answer. Is it running?")
    {
        Retryable = true,
    };
}

/// <summary>The outcome of an Api call: a value or an <see cref="ApiError"/>, never an exception.</summary>
public sealed class ApiResult<T>
{
    private ApiResult(T? value, ApiError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }
    public ApiError? Error { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    public static ApiResult<T> Ok(T value) => new(value, null);

    public static ApiResult<T> Fail(ApiError error) => new(default, error);
}
