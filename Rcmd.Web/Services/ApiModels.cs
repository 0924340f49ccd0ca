using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rcmd.Web.Services;

/// <summary>
/// <c>GET /api/remotes</c>: the remotes of rclone's config (name and backend type only — never their parameters)
/// and the backends a path may name inline (<c>:local:</c>, <c>:s3:</c>, …).
/// </summary>
public sealed record RemoteList
{
    public IReadOnlyList<RemoteInfo> Remotes { get; init; } = [];
    public IReadOnlyList<string> InlineBackends { get; init; } = [];

    /// <summary>Remotes with a breaker that are not in rclone's config (inline backends jobs used, removed remotes).</summary>
    public IReadOnlyList<RemoteInfo> OtherRemotes { get; init; } = [];
}

public sealed record RemoteInfo(string Name, string? Type)
{
    /// <summary>The remote's circuit breaker; null when the Api sends none (breakers off, or an older Api).</summary>
    public RemoteBreaker? Breaker { get; init; }
}

/// <summary>A remote's circuit breaker as <c>GET /api/remotes</c> shows it.</summary>
public sealed record RemoteBreaker
{
    /// <summary><c>closed</c>, <c>open</c>, <c>half_open</c> or <c>isolated</c>.</summary>
    public string? State { get; init; }
    public int ConsecutiveFailures { get; init; }
    public string? LastErrorCode { get; init; }
    public string? LastErrorMessage { get; init; }
    public DateTimeOffset? OpenedAt { get; init; }

    /// <summary>While open: seconds until it lets a probe through (half-open).</summary>
    public int? RetryInSeconds { get; init; }
}

/// <summary>
/// The body of <c>POST /api/batches</c>: either <see cref="Items"/> or <see cref="Directory"/> (with <see cref="Op"/>).
/// </summary>
public sealed record BatchSubmission
{
    public string? Name { get; init; }
    public IReadOnlyList<Batches.BatchItemRequest>? Items { get; init; }
    public Batches.BatchDirectory? Directory { get; init; }

    /// <summary>A directory batch's operation: <c>copyfile</c> or <c>movefile</c>.</summary>
    public string? Op { get; init; }

    public Batches.BatchOptions? Options { get; init; }
}

/// <summary>
/// <c>GET /api/remotes/{name}/list|about|size</c>: rclone's answer in <see cref="Result"/> and where it came from — the
/// remote just now, or (its circuit breaker open) the cached result, <see cref="Stale"/>, <see cref="AgeSeconds"/> old.
/// </summary>
public sealed record RemoteRead
{
    public string Remote { get; init; } = string.Empty;
    public string Operation { get; init; } = string.Empty;
    public string Path { get; init; } = string.Empty;

    /// <summary><c>remote</c>, <c>cache</c> or <c>fallback</c>.</summary>
    public string Source { get; init; } = "remote";
    public bool Stale { get; init; }
    public double? AgeSeconds { get; init; }
    public string? FallbackRemote { get; init; }
    public DateTimeOffset ReadAt { get; init; }
    public JsonElement Result { get; init; }
}

/// <summary>One page of a directory (<c>list</c> with <c>offset</c>/<c>limit</c>): its entries and how many match in all.</summary>
public sealed record ListingPage
{
    public IReadOnlyList<FileEntry> List { get; init; } = [];
    public int Total { get; init; }
    public int Offset { get; init; }
    public int Limit { get; init; }
}

/// <summary>A file or folder as rclone lists it.</summary>
public sealed record FileEntry
{
    public string Name { get; init; } = string.Empty;
    public string Path { get; init; } = string.Empty;
    public long Size { get; init; }
    public string? MimeType { get; init; }
    public DateTimeOffset? ModTime { get; init; }
    public bool IsDir { get; init; }
}

/// <summary>rclone's <c>about</c>: the remote's quota, each number when the backend knows it.</summary>
public sealed record AboutResult
{
    public long? Total { get; init; }
    public long? Used { get; init; }
    public long? Free { get; init; }
    public long? Trashed { get; init; }
}

/// <summary>rclone's <c>size</c>: files and bytes under a path.</summary>
public sealed record SizeResult
{
    public long Count { get; init; }
    public long Bytes { get; init; }
}

/// <summary>JSON for the Web's own view of Api shapes that Rcmd.Core does not define.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, AllowTrailingCommas = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RemoteList))]
[JsonSerializable(typeof(BatchSubmission))]
[JsonSerializable(typeof(RemoteRead))]
[JsonSerializable(typeof(ListingPage))]
[JsonSerializable(typeof(AboutResult))]
[JsonSerializable(typeof(SizeResult))]
[JsonSerializable(typeof(AuditPage))]
internal sealed partial class WebJsonContext : JsonSerializerContext;

/// <summary>One audited mutation, as <c>GET /api/audit</c> lists it.</summary>
public sealed record AuditEntry(string Id, DateTimeOffset At, string User, string Role, string Action, string? Target, string Outcome, int Status,
    string Address);

/// <summary>A page of the audit trail, newest first; <see cref="More"/> when older entries match.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, bool More);

/// <summary>The audit page's filters (null or blank: any).</summary>
public sealed record AuditFilter(string? User = null, string? Action = null, string? Outcome = null, DateTimeOffset? Since = null,
    DateTimeOffset? Until = null)
{
    public string ToQuery(string? before, int limit)
    {
        var query = new List<string> { "limit=" + limit.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                query.Add(name + "=" + Uri.EscapeDataString(value.Trim()));
            }
        }

        Add("user", User);
        Add("action", Action);
        Add("outcome", Outcome);
        Add("since", Since?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Add("until", Until?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Add("before", before);
        return string.Join('&', query);
    }
}
