using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Rcmd.Failures;
using Rcmd.Notifications.Channels;
using Rcmd.Telemetry;

namespace Rcmd.Notifications;

/// <summary>
/// Delivers the notifications stream to the configured channels. Each Worker runs one; they share the Redis consumer
/// group <see cref="NotificationOptions.ConsumerGroup"/>, so each entry is handled by one dispatcher, which acknowledges
/// it when every matching channel has sent it, held it back (cooldown) or given up (dead letter). Entries a stopped
/// dispatcher left unacknowledged are claimed by another after <see cref="NotificationOptions.ClaimIdleTime"/>.
/// <para>
/// Per channel: filters (events, remotes, job types), the cooldown, then up to <see cref="NotificationOptions.MaxAttempts"/>
/// attempts (each bounded by <see cref="NotificationOptions.AttemptTimeout"/>, exponential backoff with jitter), then
/// <c>rcmd:notifications:dead</c>. Nothing here touches a job: delivery runs beside them and never fails one.
/// </para>
/// </summary>
public sealed class NotificationDispatcher : BackgroundService
{
    private readonly NotificationStream _stream;
    private readonly NotificationCooldown _cooldown;
    private readonly NotificationDeadLetters _deadLetters;
    private readonly NotificationMetrics _metrics;
    private readonly NotificationOptions _options;
    private readonly IReadOnlyList<(NotificationChannelOptions Options, INotificationChannel Channel, SemaphoreSlim Gate)> _channels;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Task> _inFlight = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots;
    private readonly ResiliencePipeline _pipeline;
    private bool _groupReady;

    public NotificationDispatcher(NotificationStream stream, NotificationCooldown cooldown, NotificationDeadLetters deadLetters,
        NotificationMetrics metrics, IOptions<NotificationOptions> options, NotificationChannelFactory channels, TimeProvider time,
        ILogger<NotificationDispatcher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(channels);
        _stream = stream;
        _cooldown = cooldown;
        _deadLetters = deadLetters;
        _metrics = metrics;
        _options = options.Value;
        _channels = [.. _options.Channels.Select(c => (c, channels.Create(c), new SemaphoreSlim(c.EffectiveMaxConcurrency)))];
        _time = time;
        _logger = logger ?? NullLogger<NotificationDispatcher>.Instance;
        _slots = new SemaphoreSlim(_options.MaxConcurrentDeliveries);
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _options.MaxAttempts - 1,
                Delay = _options.RetryDelay,
                MaxDelay = _options.MaxRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                // Everything but a permanent refusal and cancellation (the timeout strategy turns an attempt's own timeout
                // into TimeoutRejectedException, which is retried).
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException and not NotificationDeliveryException { Permanent: true }),
                OnRetry = args =>
                {
                    if (args.Context.Properties.TryGetValue(DeliveryKey, out var delivery))
                    {
                        NotificationLog.Retrying(_logger, delivery.Entry.Event, delivery.Entry.Id, delivery.Channel.Name,
                            args.AttemptNumber + 2, delivery.Mask(args.Outcome.Exception));
                    }

                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(_options.AttemptTimeout)
            .Build();
    }

    /// <summary>This dispatcher's name in the consumer group: unique per process start.</summary>
    public string Consumer { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    private static readonly ResiliencePropertyKey<Delivery> DeliveryKey = new("rcmd.notification");

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Join the group before the host reports started, so nothing written after start is missed. Redis away: the
        // loop tries again.
        if (_options.Enabled && _channels.Count > 0)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await _stream.EnsureGroupAsync(_options.ConsumerGroup, timeout.Token).ConfigureAwait(false);
                _groupReady = true;
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or OperationCanceledException)
            {
                NotificationLog.StreamError(_logger, ex.Message);
            }
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled || _channels.Count == 0)
        {
            NotificationLog.NoChannels(_logger);
            return;
        }

        NotificationLog.Started(_logger, Consumer, _options.ConsumerGroup, _channels.Count);
        var nextClaim = _time.GetUtcNow();
        var claimCursor = "0-0";
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!_groupReady)
                {
                    await _stream.EnsureGroupAsync(_options.ConsumerGroup, stoppingToken).ConfigureAwait(false);
                    _groupReady = true;
                }

                if (_time.GetUtcNow() >= nextClaim)
                {
                    var (claimed, next) = await _stream.ClaimAsync(_options.ConsumerGroup, Consumer, _options.ClaimIdleTime, claimCursor,
                        _options.BatchSize, stoppingToken).ConfigureAwait(false);
                    claimCursor = next;
                    var fresh = claimed.Where(e => !_inFlight.ContainsKey(e.Id)).ToList();
                    if (fresh.Count > 0)
                    {
                        NotificationLog.Claimed(_logger, fresh.Count);
                    }

                    await StartAllAsync(fresh, stoppingToken).ConfigureAwait(false);
                    if (next == "0-0")
                    {
                        nextClaim = _time.GetUtcNow() + ClaimCheckInterval();
                    }
                }

                var entries = await _stream.ReadAsync(_options.ConsumerGroup, Consumer, _options.BatchSize, stoppingToken).ConfigureAwait(false);
                await StartAllAsync(entries, stoppingToken).ConfigureAwait(false);
                if (entries.Count == 0)
                {
                    await Task.Delay(_options.PollInterval, _time, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
                if (ex.Message.Contains("NOGROUP", StringComparison.Ordinal))
                {
                    _groupReady = false;
                }

                NotificationLog.StreamError(_logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        // Let deliveries under way finish (the host's shutdown timeout bounds this); what is cut short stays pending
        // in the group and another dispatcher claims it.
        await Task.WhenAll(_inFlight.Values).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public override void Dispose()
    {
        _slots.Dispose();
        foreach (var channel in _channels)
        {
            channel.Gate.Dispose();
        }

        base.Dispose();
    }

    /// <summary>Look for abandoned entries a few times per claim idle time.</summary>
    private TimeSpan ClaimCheckInterval() => TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond / 2, _options.ClaimIdleTime.Ticks / 4));

    private async Task StartAllAsync(IReadOnlyList<RawEntry> entries, CancellationToken stoppingToken)
    {
        foreach (var raw in entries)
        {
            await _slots.WaitAsync(stoppingToken).ConfigureAwait(false);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var task = Task.Run(async () =>
            {
                await started.Task.ConfigureAwait(false);
                try
                {
                    await HandleAsync(raw, stoppingToken).ConfigureAwait(false);
                }
                finally
                {
                    _inFlight.TryRemove(raw.Id, out _);
                    _slots.Release();
                }
            }, CancellationToken.None);
            _inFlight[raw.Id] = task;
            started.SetResult();
        }
    }

    private async Task HandleAsync(RawEntry raw, CancellationToken stoppingToken)
    {
        try
        {
            var entry = raw.Parse();
            if (entry is null)
            {
                NotificationLog.Malformed(_logger, raw.Id);
            }
            else
            {
                await Task.WhenAll(_channels.Where(c => Matches(c.Options, entry))
                    .Select(c => DeliverAsync(new Delivery(entry, c.Options, c.Channel), c.Gate, stoppingToken))).ConfigureAwait(false);
            }

            await _stream.AckAsync(_options.ConsumerGroup, raw.Id, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: left pending for another dispatcher.
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // Not acknowledged: claimed again after the idle time.
            NotificationLog.StreamError(_logger, ex.Message);
        }
    }

    private async Task DeliverAsync(Delivery delivery, SemaphoreSlim gate, CancellationToken stoppingToken)
    {
        var (entry, options, channel) = (delivery.Entry, delivery.Options, delivery.Channel);
        var suppressed = 0;
        if (options.Cooldown > TimeSpan.Zero && options.EffectiveCooldownEvents.Contains(entry.Event))
        {
            var entered = await _cooldown.TryEnterAsync(channel.Name, entry.Event, entry.Remote ?? "", options.Cooldown, stoppingToken).ConfigureAwait(false);
            if (entered is null)
            {
                _metrics.Record(channel.Name, entry.Event, NotificationMetrics.Suppressed);
                NotificationLog.Suppressed(_logger, entry.Event, entry.Id, channel.Name);
                return;
            }

            suppressed = entered.Value;
        }

        await gate.WaitAsync(stoppingToken).ConfigureAwait(false);
        var context = ResilienceContextPool.Shared.Get(stoppingToken);
        context.Properties.Set(DeliveryKey, delivery);
        try
        {
            await _pipeline.ExecuteAsync(async (ctx, state) =>
            {
                state.Attempts++;
                await state.Channel.SendAsync(state.Entry, suppressed, ctx.CancellationToken).ConfigureAwait(false);
            }, context, delivery).ConfigureAwait(false);
            _metrics.Record(channel.Name, entry.Event, NotificationMetrics.Sent);
            NotificationLog.Sent(_logger, entry.Event, entry.Id, channel.Name);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            var error = delivery.Mask(ex);
            _metrics.Record(channel.Name, entry.Event, NotificationMetrics.Failed);
            NotificationLog.DeadLettered(_logger, entry.Event, entry.Id, channel.Name, delivery.Attempts, error);
            await _deadLetters.AddAsync(new DeadLetter(entry.Id, channel.Name, channel.Type, entry.Event, entry.At, _time.GetUtcNow(),
                delivery.Attempts, error, entry.Data), _options.DeadLetterLimit, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
            gate.Release();
        }
    }

    /// <summary>Whether a channel takes an entry: its events, then its remotes (either end of a job), its schedules, then its job types.</summary>
    internal static bool Matches(NotificationChannelOptions channel, NotificationEntry entry)
    {
        var events = channel.EffectiveEvents;
        if (!events.Contains("*") && !events.Contains(entry.Event, StringComparer.Ordinal))
        {
            return false;
        }

        if (channel.Remotes.Count > 0
            && !channel.Remotes.Any(r => string.Equals(r, entry.Remote, StringComparison.Ordinal) || string.Equals(r, entry.DestinationRemote, StringComparison.Ordinal)))
        {
            return false;
        }

        if (channel.Schedules.Count > 0 && entry.Event.StartsWith("JOB_", StringComparison.Ordinal)
            && (entry.Get("scheduleId") is not { } schedule || !channel.Schedules.Contains(schedule, StringComparer.Ordinal)))
        {
            return false;
        }

        return channel.JobTypes.Count == 0 || entry.JobType is null
            || channel.JobTypes.Contains(entry.JobType, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>One entry on its way to one channel.</summary>
    private sealed class Delivery(NotificationEntry entry, NotificationChannelOptions options, INotificationChannel channel)
    {
        public NotificationEntry Entry { get; } = entry;

        public NotificationChannelOptions Options { get; } = options;

        public INotificationChannel Channel { get; } = channel;

        public int Attempts { get; set; }

        /// <summary>An error as it may be logged and stored: the channel's secrets masked, then the generic redactor.</summary>
        public string Mask(Exception? error)
        {
            var text = error switch
            {
                null => "unknown error",
                NotificationDeliveryException e => e.Message,
                TimeoutRejectedException => "timed out",
                HttpRequestException e => $"{e.GetType().Name}: {e.HttpRequestError} {e.Message}",
                _ => $"{error.GetType().Name}: {error.Message}",
            };
            foreach (var secret in Options.Secrets())
            {
                text = text.Replace(secret, NotificationConstants.Mask, StringComparison.Ordinal);
            }

            return SecretRedactor.Redact(text);
        }

        public void Deconstruct(out NotificationEntry entry, out NotificationChannelOptions options, out INotificationChannel channel) =>
            (entry, options, channel) = (Entry, Options, Channel);
    }
}
