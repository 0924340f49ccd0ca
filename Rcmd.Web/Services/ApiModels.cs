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
}

public sealed record RemoteInfo(string Name, string? Type);

/// <summary>JSON for the Web's own view of Api shapes that Rcmd.Core does not define.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, AllowTrailingCommas = true)]
[JsonSerializable(typeof(RemoteList))]
internal sealed partial class WebJsonContext : JsonSerializerContext;
