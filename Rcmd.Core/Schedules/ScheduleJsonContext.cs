using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rcmd.Schedules;

/// <summary>Source-generated JSON for schedules, their runs and the Api's replies (camelCase, nulls omitted).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowTrailingCommas = true,
    ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(Schedule))]
[JsonSerializable(typeof(ScheduleRequest))]
[JsonSerializable(typeof(ScheduleRun))]
[JsonSerializable(typeof(ScheduleView))]
[JsonSerializable(typeof(SchedulePage))]
[JsonSerializable(typeof(ScheduleRunPage))]
public sealed partial class ScheduleJsonContext : JsonSerializerContext;
