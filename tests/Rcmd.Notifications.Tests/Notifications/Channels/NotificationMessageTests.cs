using Rcmd.Notifications.Channels;

namespace Rcmd.Notifications.Tests.Notifications.Channels;

public sealed class NotificationMessageTests
{
    [Fact]
    public void Telegram_JobFailed_SeedShapeWithCodeAndEscapedValues()
    {
        var html = NotificationMessage.For(Entries.JobFailed(), 0).ToTelegramHtml();

        Assert.Equal("""
            ❌ <b>Job failed</b>
            s3prod:bucket/in → /data/&lt;out&gt;
            copy · job <code>j-42</code>
            Error: <code>network_error</code> read: connection reset by peer &amp; gone
            <i>Check the network.</i>
            """.ReplaceLineEndings("\n"), html);
    }

    [Fact]
    public void Telegram_JobCompleted_WithDuration()
    {
        var html = NotificationMessage.For(Entries.JobCompleted(), 0).ToTelegramHtml();

        Assert.Equal("✅ <b>Job completed</b>\n/data/a → gcs:b/c\nsync · job <code>j-7</code>\nDuration: 12.3s", html);
    }

    [Fact]
    public void Telegram_RemoteOfflineAndOnline_SeedShape()
    {
        Assert.Equal(
            "⚠️ <b>Remote offline</b>\n<b>s3prod</b> is not responding\nLast error: <code>endpoint_unreachable</code> dial tcp: connection refused\nNext probe: 2026-01-02 03:05:05 UTC",
            NotificationMessage.For(Entries.RemoteOffline(), 0).ToTelegramHtml());
        Assert.Equal("✅ <b>Remote online</b>\n<b>s3prod</b> is responding again", NotificationMessage.For(Entries.RemoteOnline(), 0).ToTelegramHtml());
    }

    [Fact]
    public void Telegram_Retrying_AttemptCodeAndNextTry()
    {
        var entry = Entries.Make(NotificationTypes.JobRetrying, """
            {"jobId":"j-1","type":"copy","source":"/a","destination":"/b","remote":"local","state":"waiting","attempt":2,
             "errorCode":"rate_limited","error":"429 Too Many Requests","retryAt":"2026-01-02T03:04:07.6Z"}
            """);

        Assert.Equal(
            "🔁 <b>Job retrying</b>\n/a → /b\ncopy · job <code>j-1</code>\nAttempt 2 failed: <code>rate_limited</code> 429 Too Many Requests\nNext attempt: 2026-01-02 03:04:07 UTC",
            NotificationMessage.For(entry, 0).ToTelegramHtml());
    }

    [Fact]
    public void Message_Suppressed_SaysHowManyWereHeldBack()
    {
        Assert.EndsWith("\n<i>3 more alerts like this were held back by the cooldown.</i>", NotificationMessage.For(Entries.RemoteOffline(), 3).ToTelegramHtml());
        Assert.EndsWith("\n1 more alert like this was held back by the cooldown.", NotificationMessage.For(Entries.RemoteOffline(), 1).ToPlainText());
    }

    [Fact]
    public void Email_SubjectPlainAndHtml()
    {
        var message = NotificationMessage.For(Entries.JobFailed(), 0);

        Assert.Equal("[Rcmd] Job failed: s3prod:bucket/in → /data/<out> (network_error)", message.Subject);
        Assert.StartsWith("❌ Job failed\ns3prod:bucket/in → /data/<out>\ncopy · job j-42\nError: network_error read: connection reset", message.ToPlainText());
        Assert.Contains("<br>\nError: <code>network_error</code> read: connection reset by peer &amp; gone", message.ToEmailHtml(), StringComparison.Ordinal);
    }

    [Fact]
    public void Message_UnknownEvent_GenericWithData()
    {
        var entry = Entries.Make("SOMETHING_NEW", """{"a":1}""");

        Assert.Equal("ℹ️ <b>SOMETHING_NEW</b>\n<code>{\"a\":1}</code>", NotificationMessage.For(entry, 0).ToTelegramHtml());
    }
}
