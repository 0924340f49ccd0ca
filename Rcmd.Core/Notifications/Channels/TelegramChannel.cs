using System.Net.Http.Headers;
using System.Text.Json;

namespace Rcmd.Notifications.Channels;

/// <summary>
/// The Bot API's <c>sendMessage</c> (<c>POST {ApiBaseUrl}/bot{token}/sendMessage</c>) with <c>parse_mode: HTML</c>, the
/// text from <see cref="NotificationMessage.ToTelegramHtml"/>. The token is in the URL, so this channel's HttpClient
/// neither logs requests nor records spans (see <see cref="Microsoft.Extensions.DependencyInjection.NotificationServiceCollectionExtensions"/>), and errors
/// name only the status code.
/// </summary>
public sealed class TelegramChannel(NotificationChannelOptions options, HttpClient http) : INotificationChannel
{
    private readonly Uri _sendMessage = new($"{options.ApiBaseUrl.TrimEnd('/')}/bot{options.BotToken}/sendMessage", UriKind.Absolute);

    public string Name => options.Name;

    public string Type => NotificationChannelTypes.Telegram;

    public async Task SendAsync(NotificationEntry notification, int suppressed, CancellationToken cancellationToken)
    {
        var text = NotificationMessage.For(notification, suppressed).ToTelegramHtml();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("chat_id", options.ChatId);
            json.WriteString("text", text);
            json.WriteString("parse_mode", "HTML");
            json.WriteBoolean("disable_web_page_preview", true);
            json.WriteEndObject();
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, _sendMessage) { Content = new ByteArrayContent(buffer.ToArray()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            // The Bot API explains itself in "description" ("Bad Request: chat not found"); it never echoes the token.
            throw NotificationDeliveryException.ForStatus(response.StatusCode, await DescriptionAsync(response, cancellationToken).ConfigureAwait(false));
        }
    }

    private static async Task<string?> DescriptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String
                ? description.GetString() is { Length: > 200 } d ? d[..200] : description.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
