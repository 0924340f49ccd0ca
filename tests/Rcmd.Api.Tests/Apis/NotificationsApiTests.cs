using System.Net;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Notifications;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Apis;

[Collection(ApiCollection.Name)]
public sealed class NotificationsApiTests(RedisAndRcloneFixture fixture)
{
    [Fact]
    public async Task ListChannels_Configured_ListedWithSecretsMasked()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone, new Dictionary<string, string?>
        {
            ["Notifications:Channels:0:Name"] = "hook",
            ["Notifications:Channels:0:Type"] = "webhook",
            ["Notifications:Channels:0:Url"] = "https://hooks.example.test/T000/B000/api-secret-path",
            ["Notifications:Channels:0:Headers:Authorization"] = "Bearer api-secret-header",
            ["Notifications:Channels:0:SigningSecret"] = "api-secret-signing",
            ["Notifications:Channels:1:Name"] = "oncall",
            ["Notifications:Channels:1:Type"] = "telegram",
            ["Notifications:Channels:1:BotToken"] = "777:api-secret-token",
            ["Notifications:Channels:1:ChatId"] = "-1001",
            ["Notifications:Channels:1:Events:0"] = "JOB_FAILED",
            ["Notifications:Channels:2:Name"] = "mail",
            ["Notifications:Channels:2:Type"] = "email",
            ["Notifications:Channels:2:Host"] = "smtp.example.test",
            ["Notifications:Channels:2:UserName"] = "rcmd",
            ["Notifications:Channels:2:Password"] = "api-secret-password",
            ["Notifications:Channels:2:From"] = "rcmd@example.test",
            ["Notifications:Channels:2:To:0"] = "ops@example.test",
        });
        using var http = factory.CreateClient();

        using var response = await http.GetAsync("/api/notifications/channels");

        var text = await response.Content.ReadAsStringAsync();
        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.DoesNotContain("api-secret", text, StringComparison.Ordinal);
        var channels = body.EnumerateArray().ToList();
        Assert.Equal(["hook", "oncall", "mail"], channels.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal("https://hooks.example.test/***", channels[0].GetProperty("url").GetString());
        Assert.Equal("***", channels[1].GetProperty("botToken").GetString());
        Assert.Equal(["JOB_FAILED"], channels[1].GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("***", channels[2].GetProperty("password").GetString());
    }

    [Fact]
    public async Task ListDeadLetters_OneStored_NewestFirstWithTotal()
    {
        using var factory = ApiFactory.Create(fixture.Redis, fixture.Rclone);
        using var connection = new RedisConnection(fixture.Redis.ConnectionString, new RedisKeys(factory.Prefix));
        var deadLetters = new NotificationDeadLetters(connection);
        using var data = System.Text.Json.JsonDocument.Parse("""{"jobId":"j1"}""");
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await deadLetters.AddAsync(new DeadLetter("1-0", "hook", "webhook", "JOB_FAILED", at, at.AddSeconds(9), 4, "HTTP 503 (ServiceUnavailable)", data.RootElement.Clone()), 10, default);
        await deadLetters.AddAsync(new DeadLetter("2-0", "tg", "telegram", "REMOTE_OFFLINE", at, at.AddSeconds(10), 4, "timed out", data.RootElement.Clone()), 10, default);
        using var http = factory.CreateClient();

        using var response = await http.GetAsync("/api/notifications/dead?count=1");

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(2, body.GetProperty("total").GetInt64());
        var item = Assert.Single(body.GetProperty("items").EnumerateArray().ToList());
        Assert.Equal("2-0", item.GetProperty("id").GetString());
        Assert.Equal("tg", item.GetProperty("channel").GetString());
        Assert.Equal("timed out", item.GetProperty("error").GetString());
        Assert.Equal("j1", item.GetProperty("data").GetProperty("jobId").GetString());
    }
}
