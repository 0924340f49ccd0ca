using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Rclone;

namespace Rcmd.Worker.Services;

/// <summary>
/// A job's failure as the Worker records it: the classifier's verdict, the <see cref="JobError"/> the job carries
/// (code, redacted message, retryable, suggestion), and what rclone said as it came (for the unknown-error capture).
/// </summary>
internal sealed record JobFailure(Classification Classification, JobError Error, string RawMessage, int? Status)
{
    public string Code => Error.Code;
}

/// <summary>How the Worker names what went wrong with a job.</summary>
internal static class JobErrors
{
    /// <summary>
    /// THE one place that turns what rclone or .NET threw into a job's error (errors rcd reports for a run arrive here as
    /// an <see cref="RcloneException"/> too), through the shared <see cref="FailureClassifier"/> — so a job record, its
    /// event, the Worker's logs and the Api all carry the same <c>error_code</c>. The suggestion names the job's remote.
    /// </summary>
    public static JobFailure FromException(Exception exception, Job? job = null, bool callerCanceled = false)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var (message, status) = exception switch
        {
            RcloneException rclone => (rclone.Error, (int?)rclone.Status),
            _ => (exception.Message, null),
        };
        var classification = FailureClassifier.Default.Classify(FailureInput.FromException(exception, null, callerCanceled));
        if (classification.Remote is null && job is not null)
        {
            classification = FailureClassifier.Default.Classify(FailureInput.FromException(exception, RemoteOf(job), callerCanceled));
        }

        var text = string.IsNullOrWhiteSpace(message) ? $"rclone failed without a message ({exception.GetType().Name})." : message;
        return new JobFailure(classification, classification.ToJobError(text), message, status);
    }

    /// <summary>An error rcd reported for a finished run (<c>job/status</c>), put through <see cref="FromException"/>.</summary>
    public static JobFailure FromRunError(string method, string? error, Job? job = null) =>
        FromException(new RcloneException(method, 500, error ?? string.Empty), job);

    /// <summary>The remote a job's failure most likely concerns: its source unless that is local, else its destination.</summary>
    public static string RemoteOf(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var source = RclonePath.RemoteName(job.Source);
        return source == "local" && job.Destination is { } destination ? RclonePath.RemoteName(destination) : source;
    }

    /// <summary>The run was lost: rcd restarted (or the Worker died before rcd's job id was recorded).</summary>
    public static JobError ServerRestarted(bool requeued) => new()
    {
        Code = ErrorCodes.ServerRestarted,
        Message = requeued
            ? "The rclone run was lost (rclone or the Worker restarted); the job was queued to run again."
            : "The rclone run was lost (rclone or the Worker restarted) part-way. This job type is not run again "
              + "automatically: check the destination and submit it again.",
        Retryable = requeued,
        Suggestion = requeued ? null : "Check the destination, then submit the job again.",
    };

    /// <summary>
    /// The run ended while no Worker watched it, longer ago than rcd keeps finished runs (<c>--rc-job-expire-duration</c>),
    /// so whether it succeeded is unknown. Coded <c>server_restarted</c> (Workers were away) with its own message.
    /// </summary>
    public static JobError RunForgotten(bool requeued) => new()
    {
        Code = ErrorCodes.ServerRestarted,
        Message = requeued
            ? "The rclone run ended while no Worker was watching it, longer ago than rclone keeps finished runs, so its "
              + "outcome is unknown; the job was queued to run again (it is safe to run twice)."
            : "The rclone run ended while no Worker was watching it, longer ago than rclone keeps finished runs, so its "
              + "outcome is unknown. This job type is not run again automatically (it may have moved or deleted data): "
              + "check the source and destination, and submit it again if needed.",
        Retryable = requeued,
        Suggestion = requeued ? null : "Check the source and destination, then submit the job again if needed.",
    };

    /// <summary>The running rclone lacks a feature the job needs (see <see cref="RcloneFeatures"/>): never retried.</summary>
    public static JobError Incompatible(RcloneFeature feature, RcloneVersion version) => new()
    {
        Code = ErrorCodes.TransferEngineIncompatible,
        Message = RcloneFeatures.Describe(feature, version),
        Retryable = false,
        Suggestion = $"Upgrade rclone to v{feature.MinimumVersion.Major}.{feature.MinimumVersion.Minor}.{feature.MinimumVersion.Build} or later "
            + "(the Worker reads the version again when rcd restarts).",
    };

    /// <summary>A path of the job breaks the path policy's rules of both modes (checked again before a run): never retried.</summary>
    public static JobError PathRefused(string message) => new()
    {
        Code = ErrorCodes.AccessDenied,
        Message = message,
        Retryable = false,
        Suggestion = "Submit the job again with an absolute path outside Rcmd's data directory.",
    };
}
