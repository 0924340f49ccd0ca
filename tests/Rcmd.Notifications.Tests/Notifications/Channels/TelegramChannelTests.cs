using System.Text.Json;
using Rcmd.Notifications.Channels;
using Rcmd.Notifications.Tests.Infrastructure;

namespace Rcmd.Notifications.Tests.Notifications.Channels;

public sealed class TelegramChannelTests
{
    private const string Token = "123456789:AAHfake-token_ForTests";

    [Fact]
    public async Task Send_JobFailed_SendMessageWithChatIdHtmlAndText()
    {
        await using var api = await HttpReceiver.StartAsync();
        using var http = new HttpClient();
        var channel = new TelegramChannel(new NotificationChannelOptions
        {
            Name = "oncall", Type = "telegram", BotToken = Token, ChatId = "-1001234567890", ApiBaseUrl = api.Url.ToString(),
        }, http);

        await channel.SendAsync(Entries.JobFailed(), 0, TestTimeout.Token);

        var request = Assert.Single(api.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/bot{Token}/sendMessage", request.Path);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("-1001234567890", body.RootElement.GetProperty("chat_id").GetString());
        Assert.Equal("HTML", body.RootElement.GetProperty("parse_mode").GetString());
        Assert.Equal(NotificationMessage.For(Entries.JobFailed(), 0).ToTelegramHtml(), body.RootElement.GetProperty("text").GetString());
        Assert.StartsWith("❌ <b>Job failed</b>\n", body.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_ApiRefuses_ErrorCarriesDescriptionNotToken()
    {
        await using var api = await HttpReceiver.StartAsync();
        api.StatusFor = _ => 400;
        api.ErrorBody = "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: chat not found\"}";
        using var http = new HttpClient();
        var channel = new TelegramChannel(new NotificationChannelOptions
        {
            Name = "oncall", Type = "telegram", BotToken = Token, ChatId = "42", ApiBaseUrl = api.Url.ToString().TrimEnd('/'),
        }, http);

        var error = await Assert.ThrowsAsync<NotificationDeliveryException>(() => channel.SendAsync(Entries.RemoteOffline(), 0, TestTimeout.Token));

        Assert.True(error.Permanent);
        Assert.Equal("HTTP 400 (BadRequest): Bad Request: chat not found", error.Message);
        Assert.DoesNotContain(Token, error.ToString(), StringComparison.Ordinal);
    }
}
