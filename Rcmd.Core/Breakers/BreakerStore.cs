using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rcmd.Events;
using Rcmd.Serialization;
using Rcmd.Storage;
using StackExchange.Redis;

namespace Rcmd.Breakers;

/// <summary>
/// Every remote's breaker in Redis, shared by all Workers and the Api: one hash per remote
/// (<see cref="RedisKeys.Breaker"/>) and an index set (<see cref="RedisKeys.Breakers"/>).
/// <para>
/// Each operation reads the hash, computes the step with the pure <see cref="BreakerStateMachine"/>, and writes it
/// back with one Lua script that first checks the hash's <c>version</c> is still the one read (compare-and-set). When
/// two callers race, only the first write lands; the other reads again and recomputes from the new state — so exactly
/// one caller makes each transition, and the same script publishes that transition's one <c>remote-status</c> event and,
/// for open/close, appends the one <c>REMOTE_OFFLINE</c>/<c>REMOTE_ONLINE</c> entry to the notifications stream. The
/// logic lives once, in C#, tested with a fake clock; the script only guards the write. Steps that change nothing
/// (the healthy path: closed, no failures) leave the hash as it is.
/// </para>
/// <para>
/// The runs in flight on a remote are a sorted set beside the hash (<see cref="RedisKeys.BreakerRuns"/>): every
/// admission adds its id with a lease (<see cref="BreakerSettings.OperationTimeout"/>), its outcome removes it in the
/// same script that records it, so a failure and the end of its run are seen together. A lease that runs out (its
/// Worker died, or the transfer is long) drops out of the count: an undercount only lets a run more through. While a
/// closed breaker has failures, the script admits a run only if the count is still under the breaker's
/// <see cref="BreakerStateMachine.AdmissionLimit"/>, so Workers racing for the last slot cannot all take it.
/// </para>
/// Times are the callers' clocks (<see cref="TimeProvider"/>), stored as Unix milliseconds.
/// </summary>
public sealed partial class BreakerStore(RedisConnection redis, IOptions<BreakerOptions> options, TimeProvider time,
    ILogger<BreakerStore>? logger = null)
{
    /// <summary>Rounds of read–compute–write before an operation gives up under contention.</summary>
    public const int MaxAttempts = 64;

    // KEYS: breaker hash, index set, notifications stream, runs in flight (zset)
    // ARGV: expected version, remote, events channel, event json ('' = none), notification type ('' = none),
    //       stream max length, at (ISO 8601), status json,
    //       run id, run change ('+' starts its lease, '-' ends it, '' = none), lease expiry (ms), now (ms),
    //       runs-in-flight limit ('' = none), lease length (ms),
    //       then field/value pairs for HSET (version included; none = the hash stays as it is)
    private const string WriteScript = """
        local version = redis.call('HGET', KEYS[1], 'version') or '0'
        if version ~= ARGV[1] then return 0 end
        if ARGV[10] == '+' then
          redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', ARGV[12])
          if ARGV[13] ~= '' and redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[13]) then return 0 end
          redis.call('ZADD', KEYS[4], ARGV[11], ARGV[9])
          redis.call('PEXPIRE', KEYS[4], ARGV[14])
        elseif ARGV[10] == '-' then
          redis.call('ZREM', KEYS[4], ARGV[9])
        end
        if #ARGV < 15 then return 1 end
        redis.call('HSET', KEYS[1], unpack(ARGV, 15))
        redis.call('SADD', KEYS[2], ARGV[2])
        if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
        if ARGV[5] ~= '' then
          redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], '*', 'event', ARGV[5], 'remote', ARGV[2], 'at', ARGV[7], 'data', ARGV[8])
        end
        return 1
        """;

    private readonly ILogger _logger = logger ?? NullLogger<BreakerStore>.Instance;

    private RedisKeys Keys => redis.Keys;

    /// <summary>The settings that apply to <paramref name="remote"/>.</summary>
    public BreakerSettings SettingsFor(string remote) => options.Value.For(remote);

    /// <summary>Whether breakers are on at all (<see cref="BreakerOptions.Enabled"/>).</summary>
    public bool Enabled => options.Value.Enabled;

    public TimeProvider Time => time;

    /// <summary>The stored breaker of <paramref name="remote"/>, or a new closed one.</summary>
    public async Task<BreakerSnapshot> GetAsync(string remote, CancellationToken cancellationToken)
    {
        var entries = await redis.Database.HashGetAllAsync(Keys.Breaker(remote)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return Decode(remote, entries);
    }

    /// <summary>Every stored breaker, by remote name (from the index set; no key scans).</summary>
    public async Task<IReadOnlyList<BreakerSnapshot>> ListAsync(CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var names = await database.SetMembersAsync(Keys.Breakers).WaitAsync(cancellationToken).ConfigureAwait(false);
        var reads = names.Select(n => (string)n!).Order(StringComparer.Ordinal)
            .Select(name => (Name: name, Entries: database.HashGetAllAsync(Keys.Breaker(name)))).ToList();
        await Task.WhenAll(reads.Select(r => r.Entries)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. reads.Select(r => Decode(r.Name, r.Entries.Result))];
    }

    /// <summary>The admitted runs on <paramref name="remote"/> whose outcome is not recorded yet and whose lease holds.</summary>
    public async Task<int> RunsInFlightAsync(string remote, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(remote);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return (int)await redis.Database.SortedSetLengthAsync(Keys.BreakerRuns(remote), now, double.PositiveInfinity, Exclude.Start)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks to go through to <paramref name="remote"/>. Admitted, the run <paramref name="probeId"/> is in flight
    /// (leased) until its outcome is recorded with the same id, and holds a probe slot when half-open.
    /// </summary>
    public Task<BreakerStep> AcquireAsync(string remote, string probeId, CancellationToken cancellationToken) =>
        ApplyAsync(remote, (s, o, runs) => BreakerStateMachine.Acquire(s, o, probeId, runs, time), RunChange.Start, probeId, cancellationToken);

    /// <summary>Run <paramref name="probeId"/> (admitted by <see cref="AcquireAsync"/>) succeeded; it is no longer in flight.</summary>
    public Task<BreakerStep> RecordSuccessAsync(string remote, string? probeId, CancellationToken cancellationToken) =>
        ApplyAsync(remote, (s, o, _) => BreakerStateMachine.RecordSuccess(s, o, probeId, time), RunChange.End, probeId, cancellationToken);

    public Task<BreakerStep> RecordFailureAsync(string remote, string code, string? message, string? probeId, CancellationToken cancellationToken) =>
        ApplyAsync(remote, (s, o, _) => BreakerStateMachine.RecordFailure(s, o, code, message, probeId, time), RunChange.End, probeId,
            cancellationToken);

    public Task<BreakerStep> ReleaseAsync(string remote, string? probeId, CancellationToken cancellationToken) =>
        ApplyAsync(remote, (s, o, _) => BreakerStateMachine.Release(s, o, probeId, time), RunChange.End, probeId, cancellationToken);

    public Task<BreakerStep> ResetAsync(string remote, CancellationToken cancellationToken) =>
        ApplyAsync(remote, (s, _) => BreakerStateMachine.Reset(s, time), cancellationToken);

    public Task<BreakerStep> IsolateAsync(string remote, CancellationToken cancellationToken) =>
        ApplyAsync(remote, (s, _) => BreakerStateMachine.Isolate(s, time), cancellationToken);

    /// <summary>
    /// Reads the breaker, computes <paramref name="operation"/> and writes the result if the stored version did not
    /// change meanwhile; otherwise reads again and recomputes. Returns the step that was applied.
    /// </summary>
    public Task<BreakerStep> ApplyAsync(string remote, Func<BreakerSnapshot, BreakerSettings, BreakerStep> operation,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return ApplyAsync(remote, (s, o, _) => operation(s, o), RunChange.None, null, cancellationToken);
    }

    /// <summary>
    /// <see cref="ApplyAsync(string, Func{BreakerSnapshot, BreakerSettings, BreakerStep}, CancellationToken)"/> that
    /// also starts (an admission; <paramref name="operation"/> gets the runs in flight) or ends the lease of run
    /// <paramref name="runId"/>, in the same guarded write.
    /// </summary>
    private async Task<BreakerStep> ApplyAsync(string remote, Func<BreakerSnapshot, BreakerSettings, int, BreakerStep> operation,
        RunChange change, string? runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(remote);
        var settings = SettingsFor(remote);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = await GetAsync(remote, cancellationToken).ConfigureAwait(false);
            var runs = 0;
            if (change == RunChange.Start && BreakerStateMachine.AdmissionLimit(current, settings) is not null)
            {
                // Counted only where a limit may apply: a healthy remote's admission costs one read.
                runs = await RunsInFlightAsync(remote, cancellationToken).ConfigureAwait(false);
            }

            var step = operation(current, settings, runs);
            var lease = change switch
            {
                RunChange.Start when runId is not null && step.Decision is { Admitted: true } =>
                    new RunLease(runId, RunChange.Start, BreakerStateMachine.AdmissionLimit(step.Next, settings), settings.OperationTimeout),
                RunChange.End when runId is not null => new RunLease(runId, RunChange.End, null, settings.OperationTimeout),
                _ => null,
            };
            var writes = step.Changed || step.Transition is not null;
            if (!writes && lease is null)
            {
                return step;
            }

            if (!writes && lease is { Limit: null })
            {
                // The healthy path (closed, no failures): no limit to enforce, so the run's lease needs no guarded write,
                // and nobody waits for it — the count matters only once the remote fails, by which time it has landed.
                RecordLeaseUnguarded(remote, lease);
                return step;
            }

            var next = writes ? step.Next with { Version = current.Version + 1 } : step.Next;
            if (await TryWriteAsync(remote, current.Version, writes ? next : null, step.Transition, lease, cancellationToken).ConfigureAwait(false))
            {
                if (step.Transition is { } transition)
                {
                    LogTransition(_logger, remote, transition.From.ToWire(), transition.To.ToWire(), next.ConsecutiveFailures,
                        next.LastErrorCode ?? "none");
                }

                return step with { Next = next };
            }
        }

        throw new TimeoutException($"The breaker of remote '{remote}' changed {MaxAttempts} times while being updated; giving up.");
    }

    /// <summary>The guarded write: <paramref name="next"/> (null: the hash stays as it is) and the run's lease change, if any.</summary>
    private async Task<bool> TryWriteAsync(string remote, long expectedVersion, BreakerSnapshot? next, BreakerTransition? transition,
        RunLease? lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var values = new List<RedisValue>
        {
            expectedVersion.ToString(CultureInfo.InvariantCulture),
            remote,
            Keys.EventsChannel,
            string.Empty,
            transition?.Notification ?? string.Empty,
            BreakerConstants.NotificationStreamLength,
            string.Empty,
            string.Empty,
            lease?.RunId ?? string.Empty,
            lease?.Change switch { RunChange.Start => "+", RunChange.End => "-", _ => string.Empty },
            Ms(now + (lease?.Length ?? TimeSpan.Zero)),
            Ms(now),
            lease?.Limit is { } limit ? limit.ToString(CultureInfo.InvariantCulture) : string.Empty,
            Math.Max(1, (long)(lease?.Length ?? TimeSpan.Zero).TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        };
        if (next is not null)
        {
            var status = next.ToStatus();
            var at = transition?.At ?? next.UpdatedAt ?? now;
            values[3] = transition is null
                ? string.Empty
                : JsonSerializer.Serialize(RcmdEvent.ForRemote(status, at), RcmdJsonContext.Default.RcmdEvent);
            values[6] = at.ToString("O", CultureInfo.InvariantCulture);
            values[7] = JsonSerializer.Serialize(status, RcmdJsonContext.Default.RemoteStatus);
            values.AddRange(Encode(next));
        }

        var result = await redis.Database.ScriptEvaluateAsync(WriteScript,
            [Keys.Breaker(remote), Keys.Breakers, Keys.Notifications, Keys.BreakerRuns(remote)], [.. values])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return (int)result == 1;
    }

    private static IEnumerable<RedisValue> Encode(BreakerSnapshot snapshot)
    {
        var probes = new StringBuilder();
        foreach (var (id, expiry) in snapshot.Probes)
        {
            probes.Append(probes.Length == 0 ? "" : ";").Append(id).Append('=').Append(expiry.ToUnixTimeMilliseconds());
        }

        return
        [
            "state", snapshot.State.ToWire(),
            "failures", snapshot.ConsecutiveFailures,
            "lastFailureAt", Ms(snapshot.LastFailureAt),
            "lastErrorCode", snapshot.LastErrorCode ?? string.Empty,
            "lastErrorMessage", snapshot.LastErrorMessage ?? string.Empty,
            "openedAt", Ms(snapshot.OpenedAt),
            "retryAt", Ms(snapshot.RetryAt),
            "successes", snapshot.HalfOpenSuccesses,
            "probes", probes.ToString(),
            "updatedAt", Ms(snapshot.UpdatedAt),
            "version", snapshot.Version,
        ];
    }

    internal static BreakerSnapshot Decode(string remote, HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return BreakerSnapshot.New(remote);
        }

        var fields = entries.ToDictionary(e => (string)e.Name!, e => (string?)e.Value ?? string.Empty, StringComparer.Ordinal);
        string? Text(string name) => fields.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
        long Number(string name) => Text(name) is { } value && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
        DateTimeOffset? Time(string name) => Text(name) is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(Number(name));

        var probes = ImmutableSortedDictionary.CreateBuilder<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var pair in (Text("probes") ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && long.TryParse(pair[(equals + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
            {
                probes[pair[..equals]] = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            }
        }

        return new BreakerSnapshot
        {
            Remote = remote,
            State = BreakerStates.TryParse(Text("state"), out var state) ? state : BreakerState.Closed,
            ConsecutiveFailures = (int)Number("failures"),
            LastFailureAt = Time("lastFailureAt"),
            LastErrorCode = Text("lastErrorCode"),
            LastErrorMessage = Text("lastErrorMessage"),
            OpenedAt = Time("openedAt"),
            RetryAt = Time("retryAt"),
            HalfOpenSuccesses = (int)Number("successes"),
            Probes = probes.ToImmutable(),
            UpdatedAt = Time("updatedAt"),
            Version = Number("version"),
        };
    }

    private static RedisValue Ms(DateTimeOffset? value) =>
        value is { } at ? at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : string.Empty;

    /// <summary>Starts or ends a run's lease without a guard or a wait (fire and forget).</summary>
    private void RecordLeaseUnguarded(string remote, RunLease lease)
    {
        var key = Keys.BreakerRuns(remote);
        if (lease.Change == RunChange.End)
        {
            redis.Database.SortedSetRemove(key, lease.RunId, CommandFlags.FireAndForget);
            return;
        }

        var now = time.GetUtcNow();
        redis.Database.SortedSetRemoveRangeByScore(key, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), Exclude.None, CommandFlags.FireAndForget);
        redis.Database.SortedSetAdd(key, lease.RunId, (now + lease.Length).ToUnixTimeMilliseconds(), CommandFlags.FireAndForget);
        redis.Database.KeyExpire(key, lease.Length, CommandFlags.FireAndForget);
    }

    private enum RunChange
    {
        None,
        Start,
        End,
    }

    /// <summary>A run's lease to start (admitted while fewer than <paramref name="Limit"/> are in flight; null: no limit) or end.</summary>
    private sealed record RunLease(string RunId, RunChange Change, int? Limit, TimeSpan Length);

    [LoggerMessage(EventId = 5000, Level = LogLevel.Warning,
        Message = "Remote {remote} circuit breaker {from_state} -> {to_state} ({consecutive_failures} consecutive failures, last error_code {error_code})")]
    private static partial void LogTransition(ILogger logger, string remote, string from_state, string to_state, int consecutive_failures,
        string error_code);
}
