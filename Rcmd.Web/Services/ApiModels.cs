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

/// <summary>JSON for the Web's own view of Api shapes that Rcmd.Core does not define.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, AllowTrailingCommas = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RemoteList))]
[JsonSerializable(typeof(BatchSubmission))]
internal sealed partial class WebJsonContext : JsonSerializerContext;
