using Rcmd.Breakers;
using Rcmd.Jobs;

namespace Rcmd.Events;

/// <summary>
/// What the Workers announce and the Api streams as Server-Sent Events (<c>GET /api/sse/status</c>):
/// the SSE <c>event:</c> name is <see cref="Type"/>, the <c>data:</c> is this record as JSON.
/// </summary>
public sealed record RcmdEvent
{
    public required string Type { get; init; }
    public required DateTimeOffset At { get; init; }

    /// <summary>The job as it is now (for <see cref="EventTypes.JobUpdate"/>).</summary>
    public Job? Job { get; init; }

    /// <summary>The remote's breaker as it is now (for <see cref="EventTypes.RemoteStatus"/>).</summary>
    public RemoteStatus? Remote { get; init; }

    public static RcmdEvent ForJob(Job job) => new() { Type = EventTypes.JobUpdate, At = job.UpdatedAt, Job = job };

    public static RcmdEvent ForRemote(RemoteStatus remote, DateTimeOffset at) => new() { Type = EventTypes.RemoteStatus, At = at, Remote = remote };
}

public static class EventTypes
{
    /// <summary>A job was created or changed: state, progress or attempts.</summary>
    public const string JobUpdate = "job-update";

    /// <summary>
    /// A remote's circuit breaker changed state (closed, open, half_open, isolated): published once per transition by
    /// whichever Worker or Api made it.
    /// </summary>
    public const string RemoteStatus = "remote-status";
}
