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
/// (the healthy path: closed, no failures) are not written: they cost one read.
/// </para>
/// Times are the callers' clocks (<see cref="TimeProvider"/>), stored as Unix milliseconds.
/// </summary>
public sealed partial class BreakerStore(RedisConnection redis, IOptions<BreakerOptions> options, TimeProvider time,
    ILogger<BreakerStore>? logger = null)
{
    /// <summary>Rounds of read–compute–write before an operation gives up under contention.</summary>
    public const int MaxAttempts = 64;

    // KEYS: breaker hash, index set, notifications stream
    // ARGV: expected version, remote, events channel, event json ('' = none), notification type ('' = none),
    //       stream max length, at (ISO 8601), status json, then field/value pairs for HSET (version included)
    private const string WriteScript = """
        local version = redis.call('HGET', KEYS[1], 'version') or '0'
        if version ~= ARGV[1] then return 0 end
        redis.call('HSET', KEYS[1], unpack(ARGV, 9))
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

    /// <summary>Asks to go through to <paramref name="remote"/>; a half-open admission holds slot <paramref name="probeId"/>.</summary>
    public Task<BreakerStep> AcquireAsync(string remote, string probeId, CancellationToken cancellationToken) =>
        ApplyAsync(remote, (s, o) => BreakerStateMachine.Acquire(s, o, probeId, time), cancellationToken);

    public Task<BreakerStep> RecordSuccessAsync(string remote, string? probeId, CancellationToken cancellationToken) =>
        ApplyAsync(remote, (s, o) => BreakerStateMachine.RecordSuccess(s, o, probeId, time), cancellationToken);

    public Task<BreakerStep> RecordFailureAsync(string remote, string code, string? message, string? probeId, CancellationToken cancellationToken) =>
        ApplyAsync(remote, (s, o) => BreakerStateMachine.RecordFailure(s, o, code, message, probeId, time), cancellationToken);

    public Task<BreakerStep> ReleaseAsync(string remote, string? probeId, CancellationToken cancellationToken) =>
        ApplyAsync(remote, (s, o) => BreakerStateMachine.Release(s, o, probeId, time), cancellationToken);

    public Task<BreakerStep> ResetAsync(string remote, CancellationToken cancellationToken) =>
        ApplyAsync(remote, (s, _) => BreakerStateMachine.Reset(s, time), cancellationToken);

    public Task<BreakerStep> IsolateAsync(string remote, CancellationToken cancellationToken) =>
        ApplyAsync(remote, (s, _) => BreakerStateMachine.Isolate(s, time), cancellationToken);

    /// <summary>
    /// Reads the breaker, computes <paramref name="operation"/> and writes the result if the stored version did not
    /// change meanwhile; otherwise reads again and recomputes. Returns the step that was applied.
    /// </summary>
    public async Task<BreakerStep> ApplyAsync(string remote, Func<BreakerSnapshot, BreakerSettings, BreakerStep> operation,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(remote);
        var settings = SettingsFor(remote);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = await GetAsync(remote, cancellationToken).ConfigureAwait(false);
            var step = operation(current, settings);
            if (!step.Changed && step.Transition is null)
            {
                return step;
            }

            var next = step.Next with { Version = current.Version + 1 };
            if (await TryWriteAsync(current.Version, next, step.Transition, cancellationToken).ConfigureAwait(false))
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

    private async Task<bool> TryWriteAsync(long expectedVersion, BreakerSnapshot next, BreakerTransition? transition,
        CancellationToken cancellationToken)
    {
        var status = next.ToStatus();
        var at = transition?.At ?? next.UpdatedAt ?? time.GetUtcNow();
        var eventJson = transition is null
            ? string.Empty
            : JsonSerializer.Serialize(RcmdEvent.ForRemote(status, at), RcmdJsonContext.Default.RcmdEvent);
        var values = new List<RedisValue>
        {
            expectedVersion.ToString(CultureInfo.InvariantCulture),
            next.Remote,
            Keys.EventsChannel,
            eventJson,
            transition?.Notification ?? string.Empty,
            BreakerConstants.NotificationStreamLength,
            at.ToString("O", CultureInfo.InvariantCulture),
            JsonSerializer.Serialize(status, RcmdJsonContext.Default.RemoteStatus),
        };
        values.AddRange(Encode(next));
        var result = await redis.Database.ScriptEvaluateAsync(WriteScript,
            [Keys.Breaker(next.Remote), Keys.Breakers, Keys.Notifications], [.. values])
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

    [LoggerMessage(EventId = 5000, Level = LogLevel.Warning,
        Message = "Remote {remote} circuit breaker {from_state} -> {to_state} ({consecutive_failures} consecutive failures, last error_code {error_code})")]
    private static partial void LogTransition(ILogger logger, string remote, string from_state, string to_state, int consecutive_failures,
        string error_code);
}
