using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Notifications.Tests.Infrastructure;
using Rcmd.Notifications.Tests.Storage;
using Rcmd.ServiceDefaults.Metrics;
using Rcmd.Storage;
using Rcmd.Testing;

namespace Rcmd.Notifications.Tests.Notifications;

/// <summary>The dispatcher in a host, over a real redis-server, delivering to real loopback receivers.</summary>
[Collection(RedisCollection.Name)]
public sealed class NotificationDispatcherTests(RedisFixture redis)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12];

    private static CancellationToken Ct => TestTimeout.Token;

    [Fact]
    public async Task Dispatch_JobFailsInJobStore_WebhookTelegramAndEmailEachGetItOnce()
    {
        await using var hook = await HttpReceiver.StartAsync();
        await using var telegram = await HttpReceiver.StartAsync();
        using var smtp = new SmtpSink();
        await using var host = await DispatcherHost.StartAsync(redis, _prefix, new Dictionary<string, string?>
        {
            ["Notifications:Channels:0:Name"] = "hook",
            ["Notifications:Channels:0:Type"] = "webhook",
            ["Notifications:Channels:0:Url"] = hook.Url.ToString(),
            ["Notifications:Channels:1:Name"] = "oncall",
            ["Notifications:Channels:1:Type"] = "telegram",
            ["Notifications:Channels:1:BotToken"] = "111:tok",
            ["Notifications:Channels:1:ChatId"] = "99",
            ["Notifications:Channels:1:ApiBaseUrl"] = telegram.Url.ToString(),
            ["Notifications:Channels:2:Name"] = "mail",
            ["Notifications:Channels:2:Type"] = "email",
            ["Notifications:Channels:2:Host"] = "127.0.0.1",
            ["Notifications:Channels:2:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Notifications:Channels:2:Security"] = "None",
            ["Notifications:Channels:2:From"] = "rcmd@example.test",
            ["Notifications:Channels:2:To:0"] = "ops@example.test",
        });
        using var metrics = new PrometheusCollector(host.Services.GetRequiredService<IMeterFactory>(), ["Rcmd"]);
        using var scope = new StorageScopeOver(redis, _prefix);

        await scope.Driver.RunAsync(JobType.Copy, JobState.Failed, ErrorCodes.AccessDenied, source: "s3prod:bucket/in");

        await Wait.UntilAsync(() => Task.FromResult(hook.Calls == 1 && telegram.Calls == 1 && smtp.Messages.Count == 1), Patience, "all three channels");
        Assert.Contains("\"event\":\"JOB_FAILED\"", Assert.Single(hook.Requests).Text, StringComparison.Ordinal);
        Assert.Contains("access_denied", Assert.Single(telegram.Requests).Text, StringComparison.Ordinal);
        Assert.Contains("access_denied", Assert.Single(smtp.Messages).Part("text/plain"), StringComparison.Ordinal);
        await Wait.UntilAsync(async () => await scope.Stream.PendingAsync("notifiers", Ct) == 0, Patience, "the entry acknowledged");
        var text = metrics.Scrape();
        foreach (var channel in new[] { "hook", "oncall", "mail" })
        {
            Assert.Contains($"notifications_sent_total{{channel=\"{channel}\",event=\"JOB_FAILED\",status=\"sent\"}} 1\n", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Cooldown_FlappingRemote_OneAlertPerEventAndRemoteThenNextCarriesSuppressedCount()
    {
        await using var hook = await HttpReceiver.StartAsync();
        await using var host = await DispatcherHost.StartAsync(redis, _prefix, Webhook(hook, ("Cooldown", "00:00:03")));
        using var metrics = new PrometheusCollector(host.Services.GetRequiredService<IMeterFactory>(), ["Rcmd"]);
        using var scope = new StorageScopeOver(redis, _prefix);

        foreach (var (name, remote) in new[]
        {
            (NotificationTypes.RemoteOffline, "s3prod"), (NotificationTypes.RemoteOnline, "s3prod"), (NotificationTypes.RemoteOffline, "s3prod"),
            (NotificationTypes.RemoteOnline, "s3prod"), (NotificationTypes.RemoteOffline, "s3prod"), (NotificationTypes.RemoteOffline, "gcs"),
        })
        {
            await AddRemoteEventAsync(scope, name, remote);
        }

        await Wait.UntilAsync(() => scope.AllHandledAsync(6), Patience, "all six handled");
        var sent = hook.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(3, sent.Count);
        Assert.Equal(["REMOTE_OFFLINE gcs", "REMOTE_OFFLINE s3prod", "REMOTE_ONLINE s3prod"],
            sent.Select(e => e.GetProperty("event").GetString() + " " + e.GetProperty("data").GetProperty("name").GetString()).Order());
        Assert.All(sent, e => Assert.False(e.TryGetProperty("suppressed", out _)));
        var text = metrics.Scrape();
        Assert.Contains("notifications_sent_total{channel=\"hook\",event=\"REMOTE_OFFLINE\",status=\"suppressed\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("notifications_sent_total{channel=\"hook\",event=\"REMOTE_ONLINE\",status=\"suppressed\"} 1\n", text, StringComparison.Ordinal);

        // After the cooldown, the next OFFLINE goes out and says how many were held back.
        await Wait.UntilAsync(async () => !await scope.Connection.Database.KeyExistsAsync(scope.Keys.NotificationCooldown("hook", NotificationTypes.RemoteOffline, "s3prod")),
            Patience, "the cooldown to end");
        await AddRemoteEventAsync(scope, NotificationTypes.RemoteOffline, "s3prod");
        await Wait.UntilAsync(() => Task.FromResult(hook.Calls == 4), Patience, "the alert after the cooldown");
        var last = JsonDocument.Parse(hook.Requests.Last().Body).RootElement;
        Assert.Equal("REMOTE_OFFLINE", last.GetProperty("event").GetString());
        Assert.Equal(2, last.GetProperty("suppressed").GetInt32());
    }

    [Fact]
    public async Task Retry_ReceiverFailsTwiceThenSucceeds_DeliveredOnceWithoutDeadLetter()
    {
        await using var hook = await HttpReceiver.StartAsync();
        hook.StatusFor = call => call <= 2 ? 500 : 200;
        await using var host = await DispatcherHost.StartAsync(redis, _prefix, Webhook(hook));
        using var metrics = new PrometheusCollector(host.Services.GetRequiredService<IMeterFactory>(), ["Rcmd"]);
        using var scope = new StorageScopeOver(redis, _prefix);

        await scope.Stream.AddAsync(NotificationTypes.JobCompleted, DateTimeOffset.UtcNow, Entries.JobCompleted().Data.GetRawText(), Ct);

        await Wait.UntilAsync(async () => await scope.Stream.PendingAsync("notifiers", Ct) == 0 && hook.Calls >= 3, Patience, "delivery");
        Assert.Equal([500, 500, 200], hook.Requests.Select(r => r.Status));
        Assert.Single(hook.Requests.Select(r => r.Text).Distinct());
        Assert.Equal(0, await new NotificationDeadLetters(scope.Connection).CountAsync(Ct));
        Assert.Contains("notifications_sent_total{channel=\"hook\",event=\"JOB_COMPLETED\",status=\"sent\"} 1\n", metrics.Scrape(), StringComparison.Ordinal);
        Assert.Equal(2, host.Logs.Count(l => l.Contains("Retrying JOB_COMPLETED", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task DeadLetter_ReceiverAlwaysFails_AfterLastAttemptListedAndAcknowledged()
    {
        await using var hook = await HttpReceiver.StartAsync();
        hook.StatusFor = _ => 503;
        await using var host = await DispatcherHost.StartAsync(redis, _prefix, Webhook(hook));
        using var metrics = new PrometheusCollector(host.Services.GetRequiredService<IMeterFactory>(), ["Rcmd"]);
        using var scope = new StorageScopeOver(redis, _prefix);
        var deadLetters = new NotificationDeadLetters(scope.Connection);

        var id = await scope.Stream.AddAsync(NotificationTypes.JobFailed, Entries.At, Entries.JobFailed().Data.GetRawText(), Ct);

        await Wait.UntilAsync(async () => await deadLetters.CountAsync(Ct) == 1, Patience, "the dead letter");
        var letter = Assert.Single(await deadLetters.ListAsync(10, Ct));
        Assert.Equal(id, letter.Id);
        Assert.Equal("hook", letter.Channel);
        Assert.Equal("webhook", letter.ChannelType);
        Assert.Equal(NotificationTypes.JobFailed, letter.Event);
        Assert.Equal(Entries.At, letter.At);
        Assert.Equal(4, letter.Attempts);
        Assert.Equal("HTTP 503 (ServiceUnavailable)", letter.Error);
        Assert.Equal("j-42", letter.Data.GetProperty("jobId").GetString());
        Assert.Equal(4, hook.Calls);
        await Wait.UntilAsync(async () => await scope.Stream.PendingAsync("notifiers", Ct) == 0, Patience, "the entry acknowledged");
        Assert.Contains("notifications_sent_total{channel=\"hook\",event=\"JOB_FAILED\",status=\"failed\"} 1\n", metrics.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadLetter_PermanentRefusal_NoRetries()
    {
        await using var hook = await HttpReceiver.StartAsync();
        hook.StatusFor = _ => 404;
        await using var host = await DispatcherHost.StartAsync(redis, _prefix, Webhook(hook));
        using var scope = new StorageScopeOver(redis, _prefix);
        var deadLetters = new NotificationDeadLetters(scope.Connection);

        await scope.Stream.AddAsync(NotificationTypes.JobCompleted, Entries.At, "{}", Ct);

        await Wait.UntilAsync(async () => await deadLetters.CountAsync(Ct) == 1, Patience, "the dead letter");
        Assert.Equal(1, Assert.Single(await deadLetters.ListAsync(10, Ct)).Attempts);
        Assert.Equal(1, hook.Calls);
    }

    [Fact]
    public async Task Filters_EventsRemotesAndJobTypes_OnlyMatchingEntriesDelivered()
    {
        await using var hook = await HttpReceiver.StartAsync();
        await using var host = await DispatcherHost.StartAsync(redis, _prefix, Webhook(hook,
            ("Events:0", "JOB_FAILED"), ("Events:1", "REMOTE_OFFLINE"), ("Remotes:0", "s3prod"), ("JobTypes:0", "copy")));
        using var scope = new StorageScopeOver(redis, _prefix);

        await scope.Driver.RunAsync(JobType.Copy, JobState.Failed, ErrorCodes.NetworkError, source: "s3prod:b/in");       // yes
        await scope.Driver.RunAsync(JobType.Copy, JobState.Failed, ErrorCodes.NetworkError, source: "/in", destination: "s3prod:b/out"); // yes: destination
        await scope.Driver.RunAsync(JobType.Sync, JobState.Failed, ErrorCodes.NetworkError, source: "s3prod:b/in");       // no: job type
        await scope.Driver.RunAsync(JobType.Copy, JobState.Failed, ErrorCodes.NetworkError, source: "gcs:b/in");          // no: remote
        await scope.Driver.RunAsync(JobType.Copy, JobState.Succeeded, source: "s3prod:b/in");                             // no: event
        await AddRemoteEventAsync(scope, NotificationTypes.RemoteOffline, "s3prod");                                        // yes
        await AddRemoteEventAsync(scope, NotificationTypes.RemoteOffline, "gcs");                                           // no: remote

        await Wait.UntilAsync(() => scope.AllHandledAsync(7), Patience, "all handled");
        var sent = hook.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(3, sent.Count);
        Assert.Equal(2, sent.Count(e => e.GetProperty("event").GetString() == "JOB_FAILED"));
        Assert.Equal("s3prod", sent.Single(e => e.GetProperty("event").GetString() == "REMOTE_OFFLINE").GetProperty("data").GetProperty("name").GetString());
    }

    [Fact]
    public async Task ExactlyOnce_TwoDispatchersOnOneStream_EachEntryDeliveredOnce()
    {
        await using var hook = await HttpReceiver.StartAsync();
        var settings = Webhook(hook, ("Cooldown", "00:00:00"));
        settings["Notifications:BatchSize"] = "5";
        await using var first = await DispatcherHost.StartAsync(redis, _prefix, settings);
        await using var second = await DispatcherHost.StartAsync(redis, _prefix, settings);
        using var scope = new StorageScopeOver(redis, _prefix);
        const int count = 300;

        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(await scope.Stream.AddAsync(NotificationTypes.JobCompleted, DateTimeOffset.UtcNow, $"{{\"jobId\":\"j{i}\",\"type\":\"copy\"}}", Ct));
        }

        await Wait.UntilAsync(() => Task.FromResult(hook.Calls >= count), Patience, $"{count} deliveries");
        await Wait.UntilAsync(async () => await scope.Stream.PendingAsync("notifiers", Ct) == 0, Patience, "all acknowledged");
        await Task.Delay(300, Ct); // any duplicate would arrive now
        var delivered = hook.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("id").GetString()!).ToList();
        Assert.Equal(count, delivered.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), delivered.Order(StringComparer.Ordinal));
        Assert.NotEqual(first.Dispatcher.Consumer, second.Dispatcher.Consumer);
    }

    [Fact]
    public async Task Claim_EntryLeftPendingByDeadConsumer_DeliveredByAnother()
    {
        await using var hook = await HttpReceiver.StartAsync();
        using var scope = new StorageScopeOver(redis, _prefix);
        await scope.Stream.EnsureGroupAsync("notifiers", Ct);
        var id = await scope.Stream.AddAsync(NotificationTypes.RemoteOffline, DateTimeOffset.UtcNow, """{"name":"s3prod"}""", Ct);
        var taken = await scope.Stream.ReadAsync("notifiers", "crashed-worker", 10, Ct); // read, never acknowledged: its Worker "died"
        Assert.Equal(id, Assert.Single(taken).Id);

        var settings = Webhook(hook);
        settings["Notifications:ClaimIdleTime"] = "00:00:01";
        await using var host = await DispatcherHost.StartAsync(redis, _prefix, settings);

        await Wait.UntilAsync(() => Task.FromResult(hook.Calls == 1), Patience, "the claimed entry");
        Assert.Equal(id, JsonDocument.Parse(Assert.Single(hook.Requests).Body).RootElement.GetProperty("id").GetString());
        await Wait.UntilAsync(async () => await scope.Stream.PendingAsync("notifiers", Ct) == 0, Patience, "acknowledged");
        Assert.Contains(host.Logs, l => l.Contains("Claimed 1 notification", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Secrets_FailingChannels_NeverInLogsDeadLettersOrSpans()
    {
        const string token = "987654:SECRET-bot-token-xyz";
        const string authorization = "Bearer SECRET-header-value";
        const string signing = "SECRET-signing-key";
        const string password = "SECRET-smtp-password";
        const string urlSecret = "SECRET-url-path-token";
        await using var failing = await HttpReceiver.StartAsync();
        failing.StatusFor = _ => 500;
        failing.ErrorBody = "{\"ok\":false,\"description\":\"Internal Server Error\"}";
        var spans = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("System.Net.Http", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => spans.Enqueue(activity.DisplayName + " " + string.Join(" ", activity.TagObjects.Select(t => $"{t.Key}={t.Value}"))),
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = await DispatcherHost.StartAsync(redis, _prefix, new Dictionary<string, string?>
        {
            ["Notifications:MaxAttempts"] = "2",
            ["Notifications:Channels:0:Name"] = "tg",
            ["Notifications:Channels:0:Type"] = "telegram",
            ["Notifications:Channels:0:BotToken"] = token,
            ["Notifications:Channels:0:ChatId"] = "1",
            ["Notifications:Channels:0:ApiBaseUrl"] = failing.Url.ToString(),
            ["Notifications:Channels:1:Name"] = "hook",
            ["Notifications:Channels:1:Type"] = "webhook",
            ["Notifications:Channels:1:Url"] = new Uri(failing.Url, "hooks/" + urlSecret).ToString(),
            ["Notifications:Channels:1:Headers:Authorization"] = authorization,
            ["Notifications:Channels:1:SigningSecret"] = signing,
            ["Notifications:Channels:2:Name"] = "mail",
            ["Notifications:Channels:2:Type"] = "email",
            ["Notifications:Channels:2:Host"] = "127.0.0.1",
            ["Notifications:Channels:2:Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Notifications:Channels:2:Security"] = "None",
            ["Notifications:Channels:2:UserName"] = "rcmd",
            ["Notifications:Channels:2:Password"] = password,
            ["Notifications:Channels:2:From"] = "rcmd@example.test",
            ["Notifications:Channels:2:To:0"] = "ops@example.test",
        });
        using var scope = new StorageScopeOver(redis, _prefix);
        var deadLetters = new NotificationDeadLetters(scope.Connection);

        await scope.Stream.AddAsync(NotificationTypes.JobFailed, DateTimeOffset.UtcNow, Entries.JobFailed().Data.GetRawText(), Ct);

        await Wait.UntilAsync(async () => await deadLetters.CountAsync(Ct) == 3, Patience, "three dead letters",
            () => string.Join("\n", host.Logs));
        Assert.Equal(4, failing.Calls); // telegram and webhook, 2 attempts each: the channels did reach the receiver
        var stored = string.Join("\n", await scope.Connection.Database.ListRangeAsync(scope.Keys.NotificationsDead));
        var logs = string.Join("\n", host.Logs);
        var traced = string.Join("\n", spans);
        Assert.Contains("HTTP 500", stored, StringComparison.Ordinal);
        Assert.Contains(host.Logs, l => l.Contains("dead-lettered", StringComparison.Ordinal));
        foreach (var secret in new[] { token, "SECRET-bot-token", authorization, "SECRET-header-value", signing, password, urlSecret })
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, traced, StringComparison.Ordinal);
        }

        // The listener does see an ordinary HttpClient's requests; the notification channels' make no spans at all.
        using (var plain = new HttpClient())
        {
            using var _ = await plain.GetAsync(new Uri(failing.Url, "probe-listener"), Ct);
        }

        var port = failing.Url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(spans, s => s.Contains("probe-listener", StringComparison.Ordinal));
        Assert.DoesNotContain(spans, s => s.Contains(port, StringComparison.Ordinal) && !s.Contains("probe-listener", StringComparison.Ordinal));
    }

    private static async Task AddRemoteEventAsync(StorageScopeOver scope, string name, string remote) =>
        await scope.Connection.Database.ExecuteAsync("XADD", scope.Keys.Notifications, "*", "event", name, "remote", remote,
            "at", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture), "data", $$"""{"name":"{{remote}}","state":"open"}""");

    private static Dictionary<string, string?> Webhook(HttpReceiver hook, params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Notifications:Channels:0:Name"] = "hook",
            ["Notifications:Channels:0:Type"] = "webhook",
            ["Notifications:Channels:0:Url"] = hook.Url.ToString(),
        };
        foreach (var (key, value) in more)
        {
            settings["Notifications:Channels:0:" + key] = value;
        }

        return settings;
    }
}

/// <summary>A <see cref="StorageScope"/> over a given prefix (shared with a host under test).</summary>
public sealed class StorageScopeOver : IDisposable
{
    public StorageScopeOver(RedisFixture redis, string prefix)
    {
        Keys = new RedisKeys(prefix);
        Connection = new RedisConnection(redis.Server.ConnectionString, Keys);
        Stream = new NotificationStream(Connection);
        Driver = new JobDriver(new JobStore(Connection), new JobQueue(Connection, Time), Time);
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public RedisKeys Keys { get; }

    public RedisConnection Connection { get; }

    public NotificationStream Stream { get; }

    public JobDriver Driver { get; }

    /// <summary>
    /// Whether the stream holds <paramref name="count"/> entries and the dispatchers' group has read every one and
    /// acknowledged them all (<c>XINFO GROUPS</c>: last-delivered-id is the newest entry, pending 0).
    /// </summary>
    public async Task<bool> AllHandledAsync(int count)
    {
        var entries = await Stream.RangeAsync(10_000, TestTimeout.Token);
        if (entries.Count != count)
        {
            return false;
        }

        var groups = (StackExchange.Redis.RedisResult[])(await Connection.Database.ExecuteAsync("XINFO", "GROUPS", Keys.Notifications))!;
        foreach (var group in groups.Select(g => (StackExchange.Redis.RedisResult[])g!))
        {
            var fields = Enumerable.Range(0, group.Length / 2).ToDictionary(i => (string)group[2 * i]!, i => group[2 * i + 1]);
            if ((string)fields["name"]! == "notifiers")
            {
                return (string)fields["last-delivered-id"]! == entries[^1].Id && (long)fields["pending"] == 0;
            }
        }

        return false;
    }

    public void Dispose() => Connection.Dispose();
}
