namespace Rcmd.Storage;

/// <summary>
/// Every Redis key and channel Rcmd uses, built here and nowhere else. The scheme (prefix <c>rcmd</c>):
/// <code>
///   rcmd:job:{id}               string  the job record (JSON), the record of truth
///   rcmd:job:{id}:cancel        string  present while a user's cancel of a running job waits for its Worker
///   rcmd:jobs:all               zset    every job id, scored by creation time (ms) — lists, newest first
///   rcmd:jobs:state:{state}     zset    job ids in that state, scored by creation time — filters and counts
///   rcmd:jobs:queue             list    ids waiting for a Worker (LPUSH to enqueue, RPOP to claim: FIFO)
///   rcmd:jobs:leases            zset    ids claimed by a Worker, scored by lease expiry (ms)
///   rcmd:jobs:owners            hash    id → the Worker that holds the lease
///   rcmd:events                 channel job and remote events (JSON), fanned out by the Api as SSE
///   rcmd:jobs:wake              channel "a job was queued": wakes idle Workers at once
/// </code>
/// No code lists keys by pattern: the sorted sets are the indexes.
/// </summary>
public sealed class RedisKeys(string prefix = RedisKeys.DefaultPrefix)
{
    public const string DefaultPrefix = "rcmd";

    public string Prefix { get; } = prefix;

    public string Job(string id) => $"{Prefix}:job:{id}";
    public string CancelRequest(string id) => $"{Prefix}:job:{id}:cancel";
    public string AllJobs => $"{Prefix}:jobs:all";
    public string JobsInState(Jobs.JobState state) => $"{Prefix}:jobs:state:{Jobs.JobStates.ToWire(state)}";
    public string Queue => $"{Prefix}:jobs:queue";
    public string Leases => $"{Prefix}:jobs:leases";
    public string LeaseOwners => $"{Prefix}:jobs:owners";
    public string EventsChannel => $"{Prefix}:events";
    public string WakeChannel => $"{Prefix}:jobs:wake";
}
