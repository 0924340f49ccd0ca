using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Rcmd.Notifications.Channels;
using Rcmd.Notifications.Tests.Infrastructure;

namespace Rcmd.Notifications.Tests.Notifications.Channels;

public sealed class WebhookChannelTests
{
    [Fact]
    public async Task Send_SignedWithHeaders_ReceiverGetsSeedBodyAndVerifiableSignature()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        using var http = new HttpClient();
        var channel = new WebhookChannel(new NotificationChannelOptions
        {
            Name = "hook",
            Type = "webhook",
            Url = new Uri(receiver.Url, "hooks/rcmd?team=ops").ToString(),
            SigningSecret = "s3cr3t-key",
            Headers = new() { ["Authorization"] = "Bearer abc.def", ["X-Team"] = "ops" },
        }, http);

        await channel.SendAsync(Entries.JobFailed(), 0, TestTimeout.Token);

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hooks/rcmd?team=ops", request.Path);
        Assert.Equal("application/json; charset=utf-8", request.Headers["Content-Type"]);
        Assert.Equal("Bearer abc.def", request.Headers["Authorization"]);
        Assert.Equal("ops", request.Headers["X-Team"]);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("s3cr3t-key"), request.Body));
        Assert.Equal(expected, request.Headers["X-Rcmd-Signature"]);

        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal(["timestamp", "event", "data", "id"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2026-01-02T03:04:05.678Z", root.GetProperty("timestamp").GetString());
        Assert.Equal("JOB_FAILED", root.GetProperty("event").GetString());
        Assert.Equal("network_error", root.GetProperty("data").GetProperty("errorCode").GetString());
        Assert.Equal("j-42", root.GetProperty("data").GetProperty("jobId").GetString());
        Assert.Equal("1767323045678-0", root.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Send_Unsigned_NoSignatureHeader_SuppressedCountInBody()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        using var http = new HttpClient();
        var channel = new WebhookChannel(new NotificationChannelOptions { Name = "hook", Type = "webhook", Url = receiver.Url.ToString() }, http);

        await channel.SendAsync(Entries.RemoteOffline(), 4, TestTimeout.Token);

        var request = Assert.Single(receiver.Requests);
        Assert.False(request.Headers.ContainsKey("X-Rcmd-Signature"));
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(4, body.RootElement.GetProperty("suppressed").GetInt32());
        Assert.Equal("s3prod", body.RootElement.GetProperty("data").GetProperty("name").GetString());
    }

    [Theory]
    [InlineData(500, false)]
    [InlineData(503, false)]
    [InlineData(429, false)]
    [InlineData(408, false)]
    [InlineData(400, true)]
    [InlineData(404, true)]
    public async Task Send_ErrorStatus_ThrowsWithPermanenceByStatus(int status, bool permanent)
    {
        await using var receiver = await HttpReceiver.StartAsync();
        receiver.StatusFor = _ => status;
        using var http = new HttpClient();
        var channel = new WebhookChannel(new NotificationChannelOptions { Name = "hook", Type = "webhook", Url = receiver.Url.ToString() }, http);

        var error = await Assert.ThrowsAsync<NotificationDeliveryException>(() => channel.SendAsync(Entries.JobCompleted(), 0, TestTimeout.Token));

        Assert.Equal(permanent, error.Permanent);
        Assert.StartsWith($"HTTP {status} ", error.Message, StringComparison.Ordinal);
    }
}
