using Microsoft.Extensions.Options;
using Rcmd.Api.Security;
using Rcmd.Storage;
using StackExchange.Redis;

namespace Rcmd.Api.Audit;

/// <summary>One audited mutation: who (user or key), their role, the action and its target, when, from where, and how it ended.</summary>
public sealed record AuditEntry(
    string Id, DateTimeOffset At, string User, string Role, string Action, string? Target, string Outcome, int Status, string Address);

/// <summary>The filters of <c>GET /api/audit</c>; null means any.</summary>
public sealed record AuditQuery(string? User = null, string? Action = null, string? Outcome = null, DateTimeOffset? Since = null,
    DateTimeOffset? Until = null, string? Before = null);

/// <summary>A page of <c>GET /api/audit</c>, newest first.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, bool More);

/// <summary>
/// The audit trail: a Redis stream (<see cref="RedisKeys.Audit"/>) bounded by count (XADD MAXLEN ~
/// <see cref="AuthOptions.AuditMaxEntries"/>) and by age (XTRIM MINID ~ <see cref="AuthOptions.AuditMaxAge"/>, at most once a
/// minute per process). Entries hold names, roles, actions, targets (route values), statuses and addresses — never a
/// body, a header, a key or a password. Each entry is also written to the log as a structured event.
/// </summary>
public sealed partial class AuditLog(RedisConnection redis, IOptions<AuthOptions> options, TimeProvider time, ILogger<AuditLog> logger)
{
    /// <summary>Entries read at most to answer one query (filters apply to these).</summary>
    public const int MaxScanned = 10_000;

    private long _lastTrimMs;

    public async Task AppendAsync(string user, string role, string action, string? target, string outcome, int status, string address,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        LogAudit(logger, user, role, action, target ?? string.Empty, outcome, status, address);
        var now = time.GetUtcNow();
        NameValueEntry[] fields =
        [
            new("at", now.ToUnixTimeMilliseconds()),
            new("user", user),
            new("role", role),
            new("action", action),
            new("target", target ?? string.Empty),
            new("outcome", outcome),
            new("status", status),
            new("address", address),
        ];
        await redis.Database.StreamAddAsync(redis.Keys.Audit, fields, messageId: null, maxLength: options.Value.AuditMaxEntries,
            useApproximateMaxLength: true).ConfigureAwait(false);

        var last = Interlocked.Read(ref _lastTrimMs);
        if (now.ToUnixTimeMilliseconds() - last >= 60_000 && Interlocked.CompareExchange(ref _lastTrimMs, now.ToUnixTimeMilliseconds(), last) == last)
        {
            var minId = (now - options.Value.AuditMaxAge).ToUnixTimeMilliseconds() + "-0";
            await redis.Database.StreamTrimByMinIdAsync(redis.Keys.Audit, minId, useApproximateMaxLength: true).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Newest first, filtered by user, action, outcome (exact, case-insensitive) and time (<see cref="AuditQuery.Since"/> to
    /// <see cref="AuditQuery.Until"/>, inclusive); <see cref="AuditQuery.Before"/> (an entry id) continues after the last entry of the
    /// previous page. Scans at most <see cref="MaxScanned"/> entries.
    /// </summary>
    public async Task<AuditPage> QueryAsync(AuditQuery query, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        var (user, action) = (query.User, query.Action);
        var minId = query.Since is { } from ? (RedisValue)(from.ToUnixTimeMilliseconds() + "-0") : (RedisValue)"-";
        var items = new List<AuditEntry>(limit);
        RedisValue maxId = query.Before is { } before ? "(" + before
            : query.Until is { } to ? to.ToUnixTimeMilliseconds() + "-" + long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "+";
        var scanned = 0;
        while (scanned < MaxScanned && items.Count <= limit)
        {
            var batch = await redis.Database.StreamRangeAsync(redis.Keys.Audit, minId, maxId, count: 500, messageOrder: Order.Descending)
                .ConfigureAwait(false);
            if (batch.Length == 0)
            {
                break;
            }

            foreach (var entry in batch)
            {
                scanned++;
                var read = Read(entry);
                if ((user is null || string.Equals(read.User, user, StringComparison.OrdinalIgnoreCase))
                    && (action is null || string.Equals(read.Action, action, StringComparison.OrdinalIgnoreCase))
                    && (query.Outcome is null || string.Equals(read.Outcome, query.Outcome, StringComparison.OrdinalIgnoreCase)))
                {
                    items.Add(read);
                }
            }

            maxId = "(" + batch[^1].Id;
        }

        var more = items.Count > limit;
        return new AuditPage(more ? items[..limit] : items, more);
    }

    private static AuditEntry Read(StreamEntry entry)
    {
        string Field(string name) => entry[name].ToString();
        _ = long.TryParse(Field("at"), out var at);
        _ = int.TryParse(Field("status"), out var status);
        var target = Field("target");
        return new AuditEntry(entry.Id.ToString(), DateTimeOffset.FromUnixTimeMilliseconds(at), Field("user"), Field("role"), Field("action"),
            target.Length == 0 ? null : target, Field("outcome"), status, Field("address"));
    }

    [LoggerMessage(EventId = 1110, Level = LogLevel.Information,
        Message = "Audit: {AuditUser} ({AuditRole}) {AuditAction} {AuditTarget} → {AuditOutcome} {AuditStatus} from {AuditAddress}")]
    private static partial void LogAudit(ILogger logger, string auditUser, string auditRole, string auditAction, string auditTarget,
        string auditOutcome, int auditStatus, string auditAddress);
}
