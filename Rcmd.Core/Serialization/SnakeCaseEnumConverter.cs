using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rcmd.Serialization;

/// <summary>Enums travel as snake_case strings ("queued", "copyfile"); unknown names are rejected, not defaulted.</summary>
public sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
