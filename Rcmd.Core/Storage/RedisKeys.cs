namespace Rcmd.Storage;

/// <summary>
/// Every Redis key and channel Rcmd uses, built here and nowhere else. The scheme (prefix <c>rcmd</c>):
/// <code>
///   rcmd:job:{id}               string  the job record (JSON), the record of truth
///   rcmd:job:{id}:cancel        string  present while a user's cancel of a running job waits for its Worker
///   rcmd:jobs:all               zset    every job id, scored by creation time (ms) — lists, newest first
///   rcmd:jobs:state:{state}     zset    job ids in that state, scored by creation time — filters and counts
///   rcmd:jobs:type:{type}       zset    job ids of that type, scored by creation time — the grid's type filter (enqueue)
///   rcmd:jobs:remote:{remote}   zset    job ids whose source or destination is on that remote (RclonePath.RemoteName) (enqueue)
///   rcmd:jobs:error:{code}      zset    ids of failed jobs with that error code, scored by creation time (guarded save)
///   rcmd:jobs:query:{hash}      zset    the intersection of several of those indexes for one grid query, PEXPIRE'd in seconds
///   rcmd:jobs:queue             list    ids waiting for a Worker (LPUSH to enqueue, RPOP to claim: FIFO)
///   rcmd:jobs:leases            zset    ids claimed by a Worker, scored by lease expiry (ms)
///   rcmd:jobs:owners            hash    id → the Worker that holds the lease
///   rcmd:jobs:waiting           zset    ids of Waiting jobs, scored by due time (ms) — the retry/breaker scheduler
///   rcmd:events                 channel job and remote events (JSON), fanned out by the Api as SSE
///   rcmd:breaker:{remote}       hash    one remote's circuit breaker (state, counters, probes, version) — Breakers/
///   rcmd:breaker:{remote}:runs  zset    admitted runs/calls on that remote not yet ended, scored by lease expiry (ms) — Breakers/
///   rcmd:breakers               set     every remote that has a breaker hash — the index for listing them
///   rcmd:notifications          stream  notification entries {event, at, data}: REMOTE_OFFLINE / REMOTE_ONLINE (Breakers/),
///                                       JOB_COMPLETED / JOB_FAILED / JOB_RETRYING (JobStore's guarded saves) (MAXLEN ~ 10000);
///                                       consumer group "notifiers": each entry goes to one Worker's NotificationDispatcher
///   rcmd:notifications:dead     list    notifications whose last delivery attempt failed (JSON, newest first, capped)
///   rcmd:notifications:cooldown:{channel}:{event}:{remote}             string  present during a channel's cooldown (PX)
///   rcmd:notifications:cooldown:{channel}:{event}:{remote}:suppressed  string  alerts held back during it (INCR)
///   rcmd:stats:{yyyyMMddHHmm}   hash    job outcomes of one UTC minute (done|…, ms|…, started|…, retried|…), 8-day TTL
///   rcmd:cache:{remote}:{op}:{h} string the last good list/about/size result of a path (h = hash of the path), with TTL
///   rcmd:cache:index            zset    those cache keys, scored by write time (ms) — the oldest are dropped past the bound
///   rcmd:jobs:wake              channel "a job was queued": wakes idle Workers at once
///   rcmd:batch:{id}:items       list    a batch's items, compact JSON, index = position (Batches/BatchStore)
///   rcmd:batch:{id}:results     hash    item index → its result (JSON: state, code, message, attempts, …)
///   rcmd:batch:{id}:checkpoint  hash    cursor, total, expanded, counters per result state, failed count per code
///   rcmd:batch:{id}:inflight    set     item indexes dispatched to rcd whose result is not yet written
///   rcmd:batch:{id}:due         zset    retry-queued item indexes, scored by due time (ms)
///   rcmd:batch:{id}:state:{s}   zset    item indexes whose result is in state s (scored by index) — report filters
///   rcmd:semaphore:{remote}     zset    per-remote concurrency permits across Workers: holder → lease expiry (ms)
///   rcmd:schedule:{id}          string  a schedule's definition (JSON) (Schedules/ScheduleStore)
///   rcmd:schedule:{id}:state    hash    cursor (last fire time dealt with, ms), active job id and claim time, queued fire time
///   rcmd:schedule:{id}:runs     zset    run keys (fire time in ms, or m{ms} for a run-now) scored by fire time — history pages
///   rcmd:schedule:{id}:run      hash    run key → the run (JSON: planned, started, job id, outcome)
///   rcmd:schedules:all          zset    every schedule id, scored by creation time (ms) — lists
///   rcmd:schedules:due          zset    active schedule ids scored by their next due time (ms) — what a scheduler reads
///   rcmd:schedules:firing       zset    "{id} {run key} {job id}" claimed but not yet a job, scored by claim lease expiry (ms)
///   rcmd:schedules:queued       zset    ids of queue_one schedules holding a fire time until their run ends
///   rcmd:jobs:archived          zset    ids of jobs the retention sweep archived and deleted, scored by archive time (ms):
///                                       the 410 of GET /api/jobs/{id} and links to them; trimmed after ArchivedLinks (Retention/)
///   rcmd:retention:lease        string  the replica running the sweep (PX: taken over when its holder dies) (Retention/)
///   rcmd:retention:status       hash    sweep totals and times (archived, deleted, lastSweepAt, lastError, …) (Retention/)
///   rcmd:retention:files        hash    archive file name → its length up to the last verified write (Retention/)
///   rcmd:rc:nextid              string  the last job id the rclone-RC-compatible surface handed out (INCR): never repeats (Api/Rc)
///   rcmd:rc:jobs                zset    Rcmd job ids of RC jobs scored by their RC job id — job/status and job/list; an index
///                                       like the others (the retention sweep removes a job from it)
///   rcmd:rc:group:{group}       zset    Rcmd job ids of the RC jobs in that stats group (_group, default job/{id}) scored by RC
///                                       job id — core/stats?group= and job/stopgroup (written with rcmd:rc:jobs, removed with it)
///   rcmd:rc:archived            zset    job/status summaries (JSON) of RC jobs the retention sweep archived, scored by RC job id;
///                                       trimmed to the newest ArchivedLinks with the tombstones (Retention/)
///   rcmd:rc:batch:{id}          string  a job/batch run with _async=true under RC job id {id}: its inputs, caller, start, and
///                                       end with output or error (JSON), 7-day TTL (Api/Rc/RcBatches)
///   rcmd:rc:batch:{id}:results  hash    input index → its reply (JSON), or {"pending": RC id, "job": Rcmd id} while the Rcmd job
///                                       it queued runs: what a resumed batch does not run again; deleted at the end
///   rcmd:rc:batch:{id}:stop     string  present once job/stop (or job/stopgroup) asked that async batch to stop, until it
///                                       ends (7-day TTL): the Api holding its lease reads it before each input and at each
///                                       renewal, so the stop survives any Api restart (Api/Rc/RcBatchStops)
///   rcmd:rc:batchgroup:{group}  zset    RC job ids of async batches in that group (_group, default job/{id}), scored by id —
///                                       job/stopgroup; its TTL renewed to the records' 7 days at each write
///   rcmd:rc:batches             zset    RC job ids of async job/batch calls, scored by start time (ms) — job/list; trimmed
///                                       past the records' TTL, so it never names an expired record
///   rcmd:rc:batches:running     zset    RC job ids of async batches not ended, scored by their Api's lease expiry (ms): an
///                                       Api that starts (or any Api, on its next look) resumes one whose lease ran out
///   rcmd:rc:executeid           string  the executeId RC clients see: one per installation, set once
///   rcmd:redis:oom              string  present (PX) for a while after REDIS_OUT_OF_MEMORY was notified: one alert per episode
///   rcmd:auth:user:{name}       hash    a local account: role, password hash (Identity's PasswordHasher), created, failures,
///                                       lockedUntil (ms) — Rcmd.Api/Security/AccountStore
///   rcmd:auth:users             set     every account name — the index for listing them
///   rcmd:auth:key:{id}          hash    an API key: name, role, SHA-256 of the key, created, lastUsed, expires (ms) — ApiKeyStore
///   rcmd:auth:keys              set     every API key id — the index for listing them
///   rcmd:auth:keys:byhash       hash    SHA-256 of a key (hex) → its id: the lookup of a presented key
///   rcmd:auth:failures:{address} string failed sign-ins from one address in the current window (INCR, PX)
///   rcmd:auth:setup             string  present once the one-time setup token was used
///   rcmd:auth:session:{sha256}  hash    a dashboard session: user, role, via, created, renewed, accountCreated (ms); PEXPIRE
///                                       = the idle timeout, renewed on use — Rcmd.Api/Security/SessionStore
///   rcmd:web:dataprotection     list    the dashboard's data-protection key ring (XML): cookies work across Web restarts and replicas
///   rcmd:audit                  stream  the audit trail: who, role, action, target, outcome, address (MAXLEN ~, MINID ~ by age)
/// </code>
/// No code lists keys by pattern: the sorted sets are the indexes.
/// </summary>
public sealed class RedisKeys(string prefix = RedisKeys.DefaultPrefix)
{
    public const string DefaultPrefix = "rcmd";

    public string Prefix { get; } = prefix;

    public string Job(string id) => JobPrefix + id;
    public string CancelRequest(string id) => Job(id) + CancelSuffix;

    /// <summary>
    /// <see cref="Job"/> is this followed by the id, and <see cref="CancelRequest"/> that followed by
    /// <see cref="CancelSuffix"/>: for the claim script, which learns the id only when it pops it.
    /// </summary>
    public string JobPrefix => $"{Prefix}:job:";

    public string RcNextJobId => $"{Prefix}:rc:nextid";

    public string RcJobs => $"{Prefix}:rc:jobs";

    public string RcExecuteId => $"{Prefix}:rc:executeid";
    public string RcGroup(string group) => $"{Prefix}:rc:group:{group}";
    public string RcArchived => $"{Prefix}:rc:archived";
    public string RcBatch(long id) => $"{Prefix}:rc:batch:{id.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    public string RcBatchResults(long id) => RcBatch(id) + ":results";
    public string RcBatchStop(long id) => RcBatch(id) + ":stop";
    public string RcBatchGroup(string group) => $"{Prefix}:rc:batchgroup:{group}";
    public string RcBatches => $"{Prefix}:rc:batches";
    public string RcBatchesRunning => $"{Prefix}:rc:batches:running";
    public const string CancelSuffix = ":cancel";
    public string AllJobs => $"{Prefix}:jobs:all";
    public string JobsInState(Jobs.JobState state) => $"{Prefix}:jobs:state:{Jobs.JobStates.ToWire(state)}";
    public string JobsOfType(Jobs.JobType type) => $"{Prefix}:jobs:type:{Jobs.JobTypes.ToWire(type)}";
    public string JobsOnRemote(string remote) => $"{Prefix}:jobs:remote:{remote}";
    public string JobsWithError(string code) => $"{Prefix}:jobs:error:{code}";

    /// <summary>The short-lived intersection of <paramref name="indexes"/> (named by a hash of their keys, in any order).</summary>
    public string JobQuery(IEnumerable<string> indexes)
    {
        var joined = string.Join('\n', indexes.Order(StringComparer.Ordinal));
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(joined));
        return $"{Prefix}:jobs:query:{Convert.ToHexStringLower(hash.AsSpan(0, 12))}";
    }

    public string Queue => $"{Prefix}:jobs:queue";
    public string Leases => $"{Prefix}:jobs:leases";
    public string LeaseOwners => $"{Prefix}:jobs:owners";
    public string Waiting => $"{Prefix}:jobs:waiting";
    public string EventsChannel => $"{Prefix}:events";
    public string Breaker(string remote) => $"{Prefix}:breaker:{remote}";
    public string BreakerRuns(string remote) => $"{Prefix}:breaker:{remote}:runs";
    public string Breakers => $"{Prefix}:breakers";
    public string Notifications => $"{Prefix}:notifications";
    public string NotificationsDead => $"{Prefix}:notifications:dead";
    public string NotificationCooldown(string channel, string notificationEvent, string remote) =>
        $"{Prefix}:notifications:cooldown:{channel}:{notificationEvent}:{remote}";
    public string NotificationSuppressed(string channel, string notificationEvent, string remote) =>
        NotificationCooldown(channel, notificationEvent, remote) + ":suppressed";

    /// <summary>The job-outcome counters of the UTC minute that holds <paramref name="at"/>.</summary>
    public string Stats(DateTimeOffset at) =>
        $"{Prefix}:stats:{at.UtcDateTime.ToString("yyyyMMddHHmm", System.Globalization.CultureInfo.InvariantCulture)}";
    public string Cache(string remote, string operation, string pathHash) => $"{Prefix}:cache:{remote}:{operation}:{pathHash}";
    public string CacheIndex => $"{Prefix}:cache:index";
    public string WakeChannel => $"{Prefix}:jobs:wake";
    public string BatchItems(string id) => $"{Prefix}:batch:{id}:items";
    public string BatchResults(string id) => $"{Prefix}:batch:{id}:results";
    public string BatchCheckpoint(string id) => $"{Prefix}:batch:{id}:checkpoint";
    public string BatchInFlight(string id) => $"{Prefix}:batch:{id}:inflight";
    public string BatchDue(string id) => $"{Prefix}:batch:{id}:due";
    public string BatchItemsInState(string id, Batches.BatchItemState state) => $"{Prefix}:batch:{id}:state:{Batches.BatchItemStates.ToWire(state)}";
    public string RemoteSemaphore(string remote) => $"{Prefix}:semaphore:{remote}";
    public string Schedule(string id) => $"{Prefix}:schedule:{id}";
    public string ScheduleState(string id) => $"{Prefix}:schedule:{id}:state";
    public string ScheduleRuns(string id) => $"{Prefix}:schedule:{id}:runs";
    public string ScheduleRunLog(string id) => $"{Prefix}:schedule:{id}:run";
    public string AllSchedules => $"{Prefix}:schedules:all";
    public string DueSchedules => $"{Prefix}:schedules:due";
    public string FiringSchedules => $"{Prefix}:schedules:firing";
    public string QueuedSchedules => $"{Prefix}:schedules:queued";
    public string ArchivedJobs => $"{Prefix}:jobs:archived";
    public string RetentionLease => $"{Prefix}:retention:lease";
    public string RetentionStatus => $"{Prefix}:retention:status";
    public string RetentionFiles => $"{Prefix}:retention:files";
    public string OutOfMemoryReported => $"{Prefix}:redis:oom";
    public string Account(string name) => $"{Prefix}:auth:user:{name}";
    public string Accounts => $"{Prefix}:auth:users";
    public string ApiKey(string id) => $"{Prefix}:auth:key:{id}";
    public string ApiKeys => $"{Prefix}:auth:keys";
    public string ApiKeysByHash => $"{Prefix}:auth:keys:byhash";
    public string SignInFailures(string address) => $"{Prefix}:auth:failures:{address}";
    public string SetupUsed => $"{Prefix}:auth:setup";
    public string Session(string tokenHash) => $"{Prefix}:auth:session:{tokenHash}";
    public string WebDataProtection => $"{Prefix}:web:dataprotection";
    public string Audit => $"{Prefix}:audit";
}
