using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Rclone;

namespace Rcmd.Worker.Services;

/// <summary>How the Worker names what went wrong with a job.</summary>
internal static class JobErrors
{
    /// <summary>
    /// THE one place that turns what rclone or .NET threw into a <see cref="JobError"/> (errors rcd reports for a run
    /// arrive here as an <see cref="RcloneException"/> too). The failure classifier of Rcmd.Core/Failures plugs in here.
    /// </summary>
    public static JobError FromException(Exception exception)
    {
        var (code, message) = exception switch
        {
            RcloneException { Status: 404 } e => (ErrorCodes.NotFound, e.Error),
            RcloneException e when e.Error.Contains("not found", StringComparison.OrdinalIgnoreCase) => (ErrorCodes.NotFound, e.Error),
            RcloneException { Status: 400 } e => (ErrorCodes.ValidationError, e.Error),
            RcloneException e => (ErrorCodes.Unknown, e.Error),
            _ => (ErrorCodes.Unknown, exception.Message),
        };
        return new JobError
        {
            Code = code,
            Message = string.IsNullOrWhiteSpace(message) ? $"rclone failed without a message ({exception.GetType().Name})." : message,
            Retryable = false,
        };
    }

    /// <summary>An error rcd reported for a finished run (<c>job/status</c>), put through <see cref="FromException"/>.</summary>
    public static JobError FromRunError(string method, string? error) =>
        FromException(new RcloneException(method, 500, error ?? string.Empty));

    /// <summary>The run was lost: rcd restarted (or the Worker died before rcd's job id was recorded).</summary>
    public static JobError ServerRestarted(bool requeued) => new()
    {
        Code = ErrorCodes.ServerRestarted,
        Message = requeued
            ? "The rclone run was lost (rclone or the Worker restarted); the job was queued to run again."
            : "The rclone run was lost (rclone or the Worker restarted) part-way. This job type is not run again "
              + "automatically: check the destination and submit it again.",
        Retryable = requeued,
    };
}
