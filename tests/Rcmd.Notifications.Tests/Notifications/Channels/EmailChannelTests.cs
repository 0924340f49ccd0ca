using Rcmd.Notifications.Channels;
using Rcmd.Notifications.Tests.Infrastructure;

namespace Rcmd.Notifications.Tests.Notifications.Channels;

public sealed class EmailChannelTests
{
    [Fact]
    public async Task Send_JobFailed_SinkGetsEnvelopeHeadersPlainAndHtml()
    {
        using var sink = new SmtpSink();
        var channel = new EmailChannel(new NotificationChannelOptions
        {
            Name = "mail", Type = "email", Host = "127.0.0.1", Port = sink.Port, Security = SmtpSecurity.None,
            From = "rcmd@example.test", To = ["ops@example.test", "dev@example.test"],
        });

        await channel.SendAsync(Entries.JobFailed(), 2, TestTimeout.Token);

        var message = Assert.Single(sink.Messages);
        Assert.Equal("rcmd@example.test", message.From);
        Assert.Equal(["ops@example.test", "dev@example.test"], message.To);
        Assert.Contains("rcmd@example.test", message.Header("From"), StringComparison.Ordinal);
        Assert.Contains("ops@example.test", message.Header("To"), StringComparison.Ordinal);
        Assert.Equal("JOB_FAILED", message.Header("X-Rcmd-Event"));
        Assert.Equal("1767323045678-0", message.Header("X-Rcmd-Id"));
        Assert.Contains("multipart/alternative", message.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Contains("Subject:", message.Data, StringComparison.Ordinal);

        var expected = NotificationMessage.For(Entries.JobFailed(), 2);
        Assert.Equal(expected.ToPlainText(), message.Part("text/plain"));
        Assert.Equal(expected.ToEmailHtml(), message.Part("text/html"));
        Assert.Contains("2 more alerts like this were held back", message.Part("text/plain"), StringComparison.Ordinal);
        Assert.Contains("EHLO", sink.Commands.First(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_NoServer_ThrowsWithoutPassword()
    {
        var channel = new EmailChannel(new NotificationChannelOptions
        {
            Name = "mail", Type = "email", Host = "127.0.0.1", Port = Rcmd.Testing.FreePort.Next(), Security = SmtpSecurity.None,
            From = "rcmd@example.test", To = ["ops@example.test"], UserName = "rcmd", Password = "smtp-pa55word",
        });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => channel.SendAsync(Entries.JobCompleted(), 0, TestTimeout.Token));

        Assert.DoesNotContain("smtp-pa55word", error.ToString(), StringComparison.Ordinal);
    }
}
