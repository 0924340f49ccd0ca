using System.Text.Json;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Storage;

namespace Rcmd.Notifications;

/// <summary>
/// The <c>data</c> of a job notification (<c>JOB_COMPLETED</c>, <c>JOB_FAILED</c>, <c>JOB_RETRYING</c>): what a person
/// needs to recognise the job and the outcome. Paths are redacted (an inline remote may carry credentials), so nothing
/// in it is secret.
/// </summary>
public sealed record JobNotificationData
{
    public required string JobId { get; init; }

    /// <summary>The job type's wire name (<c>copy</c>, <c>sync</c>, …).</summary>
    public required string Type { get; init; }

    public required string Source { get; init; }

    public string? Destination { get; init; }

    /// <summary>The remote of the source (<see cref="RclonePath.RemoteName"/>): what channel remote filters match.</summary>
    public required string Remote { get; init; }

    /// <summary>The remote of the destination, when there is one.</summary>
    public string? DestinationRemote { get; init; }

    /// <summary>The state the job is in now (<c>succeeded</c>, <c>failed</c>, <c>waiting</c>).</summary>
    public required string State { get; init; }

    /// <summary>Runs so far.</summary>
    public int Attempt { get; init; }

    /// <summary>From the first start to the end, for completed jobs.</summary>
    public double? DurationMs { get; init; }

    /// <summary>The failure code (failed, retrying); see <see cref="ErrorCodes"/>.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The failure message (already redacted by the classifier), shortened.</summary>
    public string? Error { get; init; }

    public string? Suggestion { get; init; }

    /// <summary>When a retrying job runs again.</summary>
    public DateTimeOffset? RetryAt { get; init; }

    /// <summary>The schedule that started the job (what channel schedule filters match); null for a job submitted by hand.</summary>
    public string? ScheduleId { get; init; }

    /// <summary>The event a state change raises, or null (see <see cref="NotificationTypes"/>; canceled jobs raise none).</summary>
    public static string? EventFor(JobState previous, Job next) =>
        JobTransitions.Classify(previous, next) switch
        {
            JobTransitionKind.Completed when next.State == JobState.Succeeded => NotificationTypes.JobCompleted,
            JobTransitionKind.Completed when next.State is JobState.Failed or JobState.PartiallyFailed => NotificationTypes.JobFailed,
            JobTransitionKind.Retried => NotificationTypes.JobRetrying,
            _ => null,
        };

    public static JobNotificationData From(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var failed = job.State is JobState.Failed or JobState.PartiallyFailed;
        var retrying = job.State == JobState.Waiting;
        return new JobNotificationData
        {
            JobId = job.Id,
            Type = job.Type.ToWire(),
            Source = SecretRedactor.Redact(job.Source),
            Destination = job.Destination is null ? null : SecretRedactor.Redact(job.Destination),
            Remote = RclonePath.RemoteName(job.Source),
            DestinationRemote = job.Destination is null ? null : RclonePath.RemoteName(job.Destination),
            State = job.State.ToWire(),
            Attempt = job.Attempt,
            DurationMs = job.State.IsTerminal() ? JobTransitions.DurationMs(job) : null,
            ErrorCode = failed ? job.Error?.Code ?? ErrorCodes.Unknown : retrying ? job.Wait?.Code : null,
            Error = Shorten(failed ? job.Error?.Message : retrying ? job.Wait?.Message : null),
            Suggestion = failed ? job.Error?.Suggestion : null,
            RetryAt = retrying ? job.Wait?.DueAt : null,
            ScheduleId = job.ScheduleId,
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, NotificationJsonContext.Default.JobNotificationData);

    private static string? Shorten(string? message) =>
        message is null ? null : SecretRedactor.Redact(message.Length <= 1000 ? message : message[..1000] + "…");
}
