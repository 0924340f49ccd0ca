using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rcmd.Notifications;

/// <summary>Source-generated JSON for notification payloads, dead letters and the API's channel list (camelCase, nulls omitted).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JobNotificationData))]
[JsonSerializable(typeof(DeadLetter))]
[JsonSerializable(typeof(List<DeadLetter>))]
[JsonSerializable(typeof(NotificationChannelInfo))]
[JsonSerializable(typeof(List<NotificationChannelInfo>))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class NotificationJsonContext : JsonSerializerContext;
