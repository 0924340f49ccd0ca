using System.Text.Json;

namespace Rcmd.Api.Hubs;

/// <summary>
/// One event as the hub received it from Redis: its stream id (per Api process, increasing), its type, the job it
/// is about (if any) and its JSON exactly as published.
/// </summary>
public sealed record ServerSentEvent(long Id, string Type, string? JobId, string Data)
{
    /// <summary>
    /// Events with the same key replace each other while they wait for a slow client: the newest update of a job
    /// carries the whole job, so the older ones add nothing. Events about no job are never merged.
    /// </summary>
    public string CoalescingKey => JobId is null ? "#" + Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : Type + "|" + JobId;

    /// <summary>Reads the <c>type</c> and <c>job.id</c> of a published event; false when it is not an event.</summary>
    public static bool TryParse(long id, string json, out ServerSentEvent? parsed)
    {
        parsed = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                || type.GetString() is not { Length: > 0 } typeName)
            {
                return false;
            }

            var jobId = root.TryGetProperty("job", out var job) && job.ValueKind == JsonValueKind.Object
                && job.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String
                ? idElement.GetString()
                : null;
            parsed = new ServerSentEvent(id, typeName, jobId, json);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The wire form: <c>id:</c>, <c>event:</c>, one <c>data:</c> line per line of JSON, a blank line.</summary>
    public string Format() => AppendTo(new System.Text.StringBuilder(Data.Length + Type.Length + 48)).ToString();

    public System.Text.StringBuilder AppendTo(System.Text.StringBuilder text)
    {
        text.Append("id: ").Append(Id).Append('\n')
            .Append("event: ").Append(Type.ReplaceLineEndings(" ")).Append('\n');
        foreach (var line in Data.Split('\n'))
        {
            text.Append("data: ").Append(line.TrimEnd('\r')).Append('\n');
        }

        return text.Append('\n');
    }
}
