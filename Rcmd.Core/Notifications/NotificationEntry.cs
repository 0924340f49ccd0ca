using System.Globalization;
using System.Text.Json;

namespace Rcmd.Notifications;

/// <summary>One entry of the notifications stream, as a dispatcher reads it (see <see cref="NotificationTypes"/>).</summary>
/// <param name="Id">The stream entry id (<c>1700000000000-0</c>): unique, and what dead letters and receivers can dedupe on.</param>
/// <param name="Event">One of <see cref="NotificationTypes"/> (or a newer one this build does not know: sent as is).</param>
/// <param name="At">When it happened.</param>
/// <param name="Data">The event's JSON payload (an object; empty when the entry had none).</param>
/// <param name="Remote">The remote it concerns: the entry's <c>remote</c> field, else <c>data.remote</c> or <c>data.name</c>.</param>
/// <param name="DestinationRemote">For job events, the destination's remote (remote filters match either).</param>
/// <param name="JobType">For job events, the job type's wire name.</param>
public sealed record NotificationEntry(
    string Id,
    string Event,
    DateTimeOffset At,
    JsonElement Data,
    string? Remote = null,
    string? DestinationRemote = null,
    string? JobType = null)
{
    /// <summary>Reads an entry from its stream fields; null when it has no event name.</summary>
    public static NotificationEntry? Parse(string id, IReadOnlyDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var name = fields.GetValueOrDefault("event") ?? fields.GetValueOrDefault("type");
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var data = ParseData(fields.GetValueOrDefault("data"));
        var at = DateTimeOffset.TryParse(fields.GetValueOrDefault("at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : FromId(id);
        return new NotificationEntry(id, name, at, data,
            fields.GetValueOrDefault("remote") ?? String(data, "remote") ?? String(data, "name"),
            String(data, "destinationRemote"),
            name.StartsWith("JOB_", StringComparison.Ordinal) ? String(data, "type") : null);
    }

    /// <summary>A string property of <see cref="Data"/>, or null.</summary>
    public string? Get(string property) => String(Data, property);

    private static JsonElement ParseData(string? json)
    {
        if (!string.IsNullOrWhiteSpace(json))
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    return document.RootElement.Clone();
                }
            }
            catch (JsonException)
            {
                // A payload that is not JSON is dropped, not the notification.
            }
        }

        using var empty = JsonDocument.Parse("{}");
        return empty.RootElement.Clone();
    }

    private static string? String(JsonElement data, string property) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(property, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => null,
        } : null;

    private static DateTimeOffset FromId(string id) =>
        long.TryParse(id.Split('-')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.UnixEpoch;
}
