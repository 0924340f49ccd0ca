using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Rcmd.Notifications.Channels;

/// <summary>
/// POSTs <c>{"timestamp", "event", "data", "id"[, "suppressed"]}</c> as JSON (the seed's WebhookChannel body, plus the
/// stream entry id receivers can dedupe on) with the configured headers. With a <see cref="NotificationChannelOptions.SigningSecret"/>,
/// <c>X-Rcmd-Signature: sha256=&lt;hex&gt;</c> carries the HMAC-SHA256 of the exact body bytes.
/// <c>timestamp</c> is when the event happened (ISO 8601, UTC).
/// </summary>
public sealed class WebhookChannel(NotificationChannelOptions options, HttpClient http) : INotificationChannel
{
    private readonly Uri _url = new(options.Url!, UriKind.Absolute);
    private readonly byte[]? _key = string.IsNullOrEmpty(options.SigningSecret) ? null : Encoding.UTF8.GetBytes(options.SigningSecret);

    public string Name => options.Name;

    public string Type => NotificationChannelTypes.Webhook;

    public async Task SendAsync(NotificationEntry notification, int suppressed, CancellationToken cancellationToken)
    {
        var body = Body(notification, suppressed);
        using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        foreach (var (name, value) in options.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (_key is not null)
        {
            request.Headers.TryAddWithoutValidation(NotificationConstants.SignatureHeader, Sign(_key, body));
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw NotificationDeliveryException.ForStatus(response.StatusCode);
        }
    }

    /// <summary><c>sha256=</c> and the lowercase hex HMAC-SHA256 of <paramref name="body"/> under <paramref name="key"/>.</summary>
    public static string Sign(byte[] key, byte[] body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, body));

    internal static byte[] Body(NotificationEntry notification, int suppressed)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", notification.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("event", notification.Event);
            json.WritePropertyName("data");
            notification.Data.WriteTo(json);
            json.WriteString("id", notification.Id);
            if (suppressed > 0)
            {
                json.WriteNumber("suppressed", suppressed);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
