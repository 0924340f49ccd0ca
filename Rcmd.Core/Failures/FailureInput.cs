namespace Rcmd.Failures;

/// <summary>
/// What rclone or the OS said about a failure, as the classifier reads it. Any part may be missing.
/// </summary>
public sealed record FailureInput
{
    /// <summary>
    /// rclone's text: the <c>error</c> of an RC error answer or of <c>job/status</c>, a CLI stderr line, or an
    /// operator's paste. rcd wraps many causes in one string ("error in ListJSON: SlowDown: … status code: 503").
    /// </summary>
    public string? Message { get; init; }

    /// <summary>
    /// The HTTP status rcd answered with. rcd uses 400 for bad parameters, 404 for "not found" and 500 for nearly
    /// everything else, so the text decides first and this status only when the text says nothing.
    /// </summary>
    public int? Status { get; init; }

    /// <summary>A .NET exception: what the Worker saw calling rcd or starting rclone.</summary>
    public Exception? Exception { get; init; }

    /// <summary>The remote the failing job used (<c>s3prod</c>, <c>:s3</c>, <c>local</c>): named in the suggestion.</summary>
    public string? Remote { get; init; }

    /// <summary>A <c>Retry-After</c> the caller read from a response header; wins over one parsed from the text.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// The caller's own cancellation token fired (a user canceled or the host is stopping). Without it a
    /// <see cref="TaskCanceledException"/> is read as a timeout, which is what HttpClient throws when it gives up.
    /// </summary>
    public bool CallerCanceled { get; init; }

    public static FailureInput FromText(string? message, int? status = null, string? remote = null) =>
        new() { Message = message, Status = status, Remote = remote };

    public static FailureInput FromException(Exception exception, string? remote = null, bool callerCanceled = false) =>
        new() { Exception = exception, Remote = remote, CallerCanceled = callerCanceled };
}
