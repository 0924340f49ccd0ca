using Microsoft.Extensions.Options;
using Rcmd.Events;
using Rcmd.Jobs;

namespace Rcmd.Web.Services;

/// <summary>
/// The Web process's one view of the Api's live stream, fanned out to every circuit (the Aspire Dashboard's
/// subscription shape): components <see cref="Subscribe"/> in <c>OnInitialized</c>, marshal to their renderer with
/// <c>InvokeAsync</c>, and dispose the subscription. <see cref="LiveEventsService"/> feeds it from
/// <c>GET /api/sse/status</c>; tests push events with <see cref="PublishAsync"/>.
/// Handlers run on the publisher's thread and must be quick: buffer, then hand over to the renderer.
/// </summary>
public sealed partial class LiveEvents(IOptions<LiveEventsOptions> options, TimeProvider time, ILogger<LiveEvents> logger)
{
    private readonly Lock _lock = new();
    private Subscription<RcmdEvent>[] _subscribers = [];
    private Subscription<bool>[] _connectionSubscribers = [];
    private volatile bool _connected;
    private long _eventCount;

    /// <summary>Whether the stream from the Api is open now.</summary>
    public bool IsConnected => _connected;

    /// <summary>Events received since the process started.</summary>
    public long EventCount => Interlocked.Read(ref _eventCount);

    /// <summary>Live subscriptions (event and connection handlers); a leak shows here.</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Length + _connectionSubscribers.Length;
            }
        }
    }

    /// <summary>Calls <paramref name="handler"/> with every event until the returned subscription is disposed.</summary>
    public IDisposable Subscribe(Func<RcmdEvent, Task> handler) => Add(ref _subscribers, handler);

    /// <summary>Calls <paramref name="handler"/> with the new state each time the stream connects or drops.</summary>
    public IDisposable SubscribeConnection(Func<bool, Task> handler) => Add(ref _connectionSubscribers, handler);

    /// <summary>
    /// Hands job updates to <paramref name="apply"/> in batches — the newest version of each job, at most once per
    /// <paramref name="interval"/> (default <see cref="LiveEventsOptions.RenderInterval"/>) — so a component renders a
    /// few times a second however busy the system is. The first update after a quiet spell goes through at once.
    /// </summary>
    public IDisposable SubscribeJobs(Func<IReadOnlyList<Job>, Task> apply, Func<Job, bool>? filter = null, TimeSpan? interval = null) =>
        new JobUpdateBuffer(this, apply, filter, interval ?? options.Value.RenderInterval, time, logger);

    public async Task PublishAsync(RcmdEvent @event)
    {
        Interlocked.Increment(ref _eventCount);
        await InvokeAllAsync(Volatile.Read(ref _subscribers), @event);
    }

    public async Task SetConnectedAsync(bool connected)
    {
        if (_connected == connected)
        {
            return;
        }

        _connected = connected;
        await InvokeAllAsync(Volatile.Read(ref _connectionSubscribers), connected);
    }

    private async Task InvokeAllAsync<T>(Subscription<T>[] subscribers, T value)
    {
        if (subscribers.Length == 0)
        {
            return;
        }

        var pending = new List<(Subscription<T>, Task)>(subscribers.Length);
        foreach (var subscriber in subscribers)
        {
            try
            {
                pending.Add((subscriber, subscriber.Handler(value)));
            }
            catch (Exception ex)
            {
                LogHandlerFailed(logger, ex);
            }
        }

        foreach (var (_, task) in pending)
        {
            try
            {
                await task;
            }
            catch (Exception ex)
            {
                LogHandlerFailed(logger, ex);
            }
        }
    }

    private Subscription<T> Add<T>(ref Subscription<T>[] list, Func<T, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new Subscription<T>(this, handler);
        lock (_lock)
        {
            list = [.. list, subscription];
        }

        return subscription;
    }

    private void Remove<T>(Subscription<T> subscription)
    {
        lock (_lock)
        {
            if (typeof(T) == typeof(RcmdEvent))
            {
                _subscribers = Array.FindAll(_subscribers, s => !ReferenceEquals(s, subscription));
            }
            else
            {
                _connectionSubscribers = Array.FindAll(_connectionSubscribers, s => !ReferenceEquals(s, subscription));
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "A live-event subscriber failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);

    private sealed class Subscription<T>(LiveEvents owner, Func<T, Task> handler) : IDisposable
    {
        public Func<T, Task> Handler { get; } = handler;

        public void Dispose() => owner.Remove(this);
    }

    /// <summary>Coalesces job updates for one subscriber: newest per job id, flushed at most once per interval.</summary>
    private sealed class JobUpdateBuffer : IDisposable
    {
        private readonly Func<IReadOnlyList<Job>, Task> _apply;
        private readonly Func<Job, bool>? _filter;
        private readonly TimeSpan _interval;
        private readonly TimeProvider _time;
        private readonly ILogger _logger;
        private readonly IDisposable _subscription;
        private readonly CancellationTokenSource _disposed = new();
        private readonly Lock _lock = new();
        private Dictionary<string, Job> _pending = new(StringComparer.Ordinal);
        private bool _scheduled;
        private long? _lastFlush;

        public JobUpdateBuffer(LiveEvents events, Func<IReadOnlyList<Job>, Task> apply, Func<Job, bool>? filter,
            TimeSpan interval, TimeProvider time, ILogger logger)
        {
            _apply = apply;
            _filter = filter;
            _interval = interval;
            _time = time;
            _logger = logger;
            _subscription = events.Subscribe(OnEventAsync);
        }

        public void Dispose()
        {
            _subscription.Dispose();
            _disposed.Cancel();
        }

        private Task OnEventAsync(RcmdEvent @event)
        {
            if (@event.Job is not { } job || _disposed.IsCancellationRequested || (_filter is not null && !_filter(job)))
            {
                return Task.CompletedTask;
            }

            bool start;
            lock (_lock)
            {
                if (!_pending.TryGetValue(job.Id, out var known) || known.UpdatedAt <= job.UpdatedAt)
                {
                    _pending[job.Id] = job;
                }

                start = !_scheduled;
                _scheduled = true;
            }

            if (start)
            {
                _ = FlushAsync();
            }

            return Task.CompletedTask;
        }

        private async Task FlushAsync()
        {
            try
            {
                var wait = _lastFlush is { } last ? _interval - _time.GetElapsedTime(last) : TimeSpan.Zero;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, _disposed.Token);
                }

                Dictionary<string, Job> batch;
                lock (_lock)
                {
                    batch = _pending;
                    _pending = new Dictionary<string, Job>(StringComparer.Ordinal);
                    _scheduled = false;
                    _lastFlush = _time.GetTimestamp();
                }

                if (batch.Count > 0 && !_disposed.IsCancellationRequested)
                {
                    await _apply([.. batch.Values]);
                }
            }
            catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
            {
                // The component went away.
            }
            catch (ObjectDisposedException)
            {
                // The circuit went away between the check and the render.
            }
            catch (Exception ex)
            {
                LogHandlerFailed(_logger, ex);
            }
        }
    }
}
