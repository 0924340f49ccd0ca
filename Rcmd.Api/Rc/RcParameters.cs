using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Net.Http.Headers;

namespace Rcmd.Api.Rc;

/// <summary>
/// An RC call's parameters merged as rclone's <c>fs/rc/rcserver</c> merges them — a form body, the URL query over it
/// (rcd keeps the last of Go's form values, the URL's), then a JSON body (<c>application/json</c>, charset utf-8 or
/// none) decoded over both — and read as rclone reads them: a
/// string where a number or a boolean is expected is converted, an object parameter may come as a JSON string.
/// </summary>
internal sealed class RcParameters(JsonObject input)
{
    public JsonObject Input { get; } = input;

    /// <summary>Reads the parameters of <paramref name="request"/>; the error is rclone's text for a body it cannot read.</summary>
    public static async Task<(RcParameters? Parameters, string? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var input = new JsonObject();
        var mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed : null;
        if (mediaType?.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
        {
            var form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
            foreach (var (key, values) in form)
            {
                input[key] = values.LastOrDefault();
            }
        }

        // rcd takes the last of Go's r.Form values, where the URL's come after the body's: the query wins over the form.
        foreach (var (key, values) in request.Query)
        {
            input[key] = values.LastOrDefault();
        }

        if (mediaType?.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) == true
            && (mediaType.Charset.Length == 0 || mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            JsonNode? body;
            try
            {
                body = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                return (new RcParameters(input), $"failed to read input JSON: {ex.Message}");
            }

            if (body is not JsonObject fields)
            {
                return (new RcParameters(input), "failed to read input JSON: the body must be a JSON object");
            }

            foreach (var (key, value) in fields.ToList())
            {
                fields.Remove(key);
                input[key] = value;
            }
        }

        return (new RcParameters(input), null);
    }

    public bool Has(string key) => Input.ContainsKey(key);

    /// <summary>A required string (rclone: <c>Didn't find key "srcFs" in input</c> when missing).</summary>
    public string GetString(string key) => GetStringOrNull(key) ?? throw new RcParameterException($"Didn't find key \"{key}\" in input");

    public string? GetStringOrNull(string key) => Input[key] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonValue value when value.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.ToJsonString(),
        var other => throw new RcParameterException($"expecting string value for key \"{key}\" (was {Kind(other)})"),
    };

    /// <summary>A boolean (rclone accepts true/false and the strings "true"/"false"/"1"/"0"); <paramref name="fallback"/> when absent.</summary>
    public bool GetBool(string key, bool fallback = false) => Input[key] switch
    {
        null => fallback,
        JsonValue value when value.GetValueKind() == JsonValueKind.True => true,
        JsonValue value when value.GetValueKind() == JsonValueKind.False => false,
        JsonValue value when value.TryGetValue<string>(out var text) && bool.TryParse(text, out var parsed) => parsed,
        JsonValue value when value.TryGetValue<string>(out var text) && text is "1" or "0" => text == "1",
        JsonValue value when value.GetValueKind() == JsonValueKind.Number => value.GetValue<double>() != 0,
        var other => throw new RcParameterException($"couldn't parse key \"{key}\" ({other.ToJsonString()}) as bool"),
    };

    /// <summary>A required whole number (a JSON number or a string of digits, as rclone takes <c>jobid</c>).</summary>
    public long GetInt64(string key) => Input[key] switch
    {
        null => throw new RcParameterException($"Didn't find key \"{key}\" in input"),
        JsonValue value when value.GetValueKind() == JsonValueKind.Number && value.GetValue<double>() is var d && d == Math.Floor(d) => (long)d,
        JsonValue value when value.TryGetValue<string>(out var text)
            && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
        var other => throw new RcParameterException($"couldn't parse key \"{key}\" ({other.ToJsonString()}) as int64"),
    };

    /// <summary>An object parameter (<c>_config</c>, <c>_filter</c>, <c>opt</c>): an object, or a JSON string of one.</summary>
    public JsonObject? GetObjectOrNull(string key) => Input[key] switch
    {
        null => null,
        JsonObject value => value,
        JsonValue value when value.TryGetValue<string>(out var text) => ParseObject(key, text),
        var other => throw new RcParameterException($"expecting object value for key \"{key}\" (was {Kind(other)})"),
    };

    private static JsonObject ParseObject(string key, string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new RcParameterException($"key \"{key}\" is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new RcParameterException($"couldn't unmarshal key \"{key}\" as JSON: {ex.Message}");
        }
    }

    private static string Kind(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.Number => "float64",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Object => "map[string]interface {}",
        JsonValueKind.Array => "[]interface {}",
        _ => "string",
    };
}

/// <summary>A parameter missing or of the wrong kind: rclone answers these 400.</summary>
internal sealed class RcParameterException(string message) : Exception(message);
