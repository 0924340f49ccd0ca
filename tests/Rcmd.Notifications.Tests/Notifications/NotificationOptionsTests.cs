using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Rcmd.Notifications.Tests.Notifications;

public sealed class NotificationOptionsTests
{
    [Fact]
    public void Validate_ThreeGoodChannels_NoProblems()
    {
        Assert.Empty(Problems(Good()));
    }

    [Fact]
    public void Validate_EachMistake_Named()
    {
        var options = new NotificationOptions
        {
            Channels =
            [
                new() { Name = "a", Type = "webhook", Url = "ftp://x" },
                new() { Name = "a", Type = "telegram", Events = ["JOB_EXPLODED"] },
                new() { Name = "bad name!", Type = "email", Host = "h", From = "f@x", UserName = "u" },
                new() { Name = "c", Type = "pager", JobTypes = ["teleport"] },
            ],
        };

        var problems = Problems(options);

        Assert.Contains(problems, p => p.Contains("Channels[0] (a): a webhook needs an absolute http(s) Url", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Channels[1].Name 'a' is used twice", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("unknown event 'JOB_EXPLODED'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("needs a BotToken", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("needs a ChatId", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Channels[2].Name must be", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("at least one To address", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("UserName and Password go together", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("unknown Type 'pager'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("unknown job type 'teleport'", StringComparison.Ordinal));
    }

    [Fact]
    public void EffectiveEvents_Defaults_WebhookAllPeopleChannelsTheSeedsSet()
    {
        var options = Good();

        Assert.Equal(["*"], options.Channels[0].EffectiveEvents);
        Assert.Equal(["JOB_COMPLETED", "JOB_FAILED", "REMOTE_OFFLINE", "REMOTE_ONLINE"], options.Channels[1].EffectiveEvents);
        Assert.Equal(["REMOTE_OFFLINE", "REMOTE_ONLINE"], options.Channels[1].EffectiveCooldownEvents);
        Assert.Equal([8, 8, 2], options.Channels.Select(c => c.EffectiveMaxConcurrency));
        Assert.Contains(Problems(new NotificationOptions { Channels = [new() { Name = "x", Type = "webhook", Url = "http://h/", MaxConcurrency = 0 }] }),
            p => p.Contains("MaxConcurrency must be 1–64", StringComparison.Ordinal));
    }

    [Fact]
    public void ChannelInfo_EverySecretMasked()
    {
        var json = JsonSerializer.Serialize(Good().Channels.Select(NotificationChannelInfo.Of).ToList(), NotificationJsonContext.Default.ListNotificationChannelInfo);

        foreach (var secret in new[] { "hook-path-token", "Bearer h3ader", "sign-key", "4242:bot-token", "smtp-pass" })
        {
            Assert.DoesNotContain(secret, json, StringComparison.Ordinal);
        }

        using var document = JsonDocument.Parse(json);
        var channels = document.RootElement.EnumerateArray().ToList();
        Assert.Equal("https://hooks.example.test/***", channels[0].GetProperty("url").GetString());
        Assert.Equal("***", channels[0].GetProperty("headers").GetProperty("Authorization").GetString());
        Assert.True(channels[0].GetProperty("signed").GetBoolean());
        Assert.Equal("***", channels[1].GetProperty("botToken").GetString());
        Assert.Equal("-100", channels[1].GetProperty("chatId").GetString());
        Assert.Equal("***", channels[2].GetProperty("password").GetString());
        Assert.Equal("smtp.example.test", channels[2].GetProperty("host").GetString());
        Assert.Equal("StartTls", channels[2].GetProperty("security").GetString());
    }

    [Fact]
    public void Parse_BreakerEntryWithTypeField_ReadAsEvent()
    {
        var entry = NotificationEntry.Parse("5-0", new Dictionary<string, string> { ["type"] = "REMOTE_OFFLINE", ["data"] = """{"name":"b2"}""" })!;

        Assert.Equal("REMOTE_OFFLINE", entry.Event);
        Assert.Equal("b2", entry.Remote);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(5), entry.At);
        Assert.Null(NotificationEntry.Parse("6-0", new Dictionary<string, string> { ["data"] = "{}" }));
    }

    internal static NotificationOptions Good() => new()
    {
        Channels =
        [
            new() { Name = "hook", Type = "webhook", Url = "https://hooks.example.test/services/hook-path-token",
                Headers = new() { ["Authorization"] = "Bearer h3ader" }, SigningSecret = "sign-key" },
            new() { Name = "tg", Type = "telegram", BotToken = "4242:bot-token", ChatId = "-100" },
            new() { Name = "mail", Type = "email", Host = "smtp.example.test", From = "rcmd@example.test", To = ["ops@example.test"],
                UserName = "rcmd", Password = "smtp-pass" },
        ],
    };

    private static List<string> Problems(NotificationOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage ?? "")];
    }
}
