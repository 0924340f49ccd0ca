using Microsoft.Extensions.Options;
using Rcmd.Events;
using Rcmd.Jobs;

namespace Rcmd.Web.Services;

/// <summary>
/// The Web process's one view of the Api's live stream, fanned out to every circuit (the Aspire Dashboard's
/// subscription shape): components <see cref="Subscribe(Func{RcmdEvent, Task})"/> in <c>OnInitialized</c>, marshal to their renderer with
/// <c>InvokeAsync</c>, and dispose the subscription. <see cref="LiveHubClient"/> feeds it from the Api's hub
/// (<c>/hubs/events</c>); tests push events with <see cref="PublishAsync"/>. A subscription says which of the hub's
/// groups it needs (<c>status</c>: every event; <c>job:{id}</c>: one job), and the process is in a group while any
/// subscription needs it.
/// Handlers run on the publisher's thread and must be quick: buffer, then hand over to the renderer.
/// </summary>
public sealed partial class LiveEvents(IOptions<LiveEventsOptions> options, TimeProvider time, ILogger<LiveEvents> logger)
{
    private readonly Lock _lock = new();
    private Subscription<RcmdEvent>[] _subscribers = [];
    private Subscription<bool>[] _connectionSubscribers = [];
    private readonly Dictionary<string, int> _groups = new(StringComparer.Ordinal);
    private volatile bool _connected;
    private long _eventCount;

    /// <summary>The hub groups some subscription needs now (<c>status</c>, <c>job:{id}</c>).</summary>
    public IReadOnlyList<string> Groups
    {
        get
        {
            lock (_lock)
            {
                return [.. _groups.Keys];
            }
        }
    }

    /// <summary>Raised with a group and true when the first subscription needs it, false when the last one lets go.</summary>
    public event Action<string, bool>? GroupChanged;

    /// <summary>The hub group of every event (the Status page, the Jobs grid).</summary>
    public const string StatusGroup = "status";

    /// <summary>The hub group of one job's events (its page; a batch is a job).</summary>
    public static string JobGroup(string jobId) => "job:" + jobId;

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
    public IDisposable Subscribe(Func<RcmdEvent, Task> handler) => Subscribe(handler, StatusGroup);

    /// <summary>Calls <paramref name="handler"/> with the events of <paramref name="group"/> (and any other the process gets).</summary>
    internal IDisposable Subscribe(Func<RcmdEvent, Task> handler, string group)
    {
        var subscription = Add(ref _subscribers, handler);
        var watch = Watch(group);
        return new Both(subscription, watch);
    }

    /// <summary>Keeps the process in hub group <paramref name="group"/> until the result is disposed (counted).</summary>
    public IDisposable Watch(string group)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        bool first;
        lock (_lock)
        {
            _groups[group] = _groups.GetValueOrDefault(group) + 1;
            first = _groups[group] == 1;
        }

        if (first)
        {
            GroupChanged?.Invoke(group, true);
        }

        return new GroupWatch(this, group);
    }

    private void Unwatch(string group)
    {
        bool last;
        lock (_lock)
        {
            var count = _groups.GetValueOrDefault(group) - 1;
            last = count <= 0;
            if (last)
            {
                _groups.Remove(group);
            }
            else
            {
                _groups[group] = count;
            }
        }

        if (last)
        {
            GroupChanged?.Invoke(group, false);
        }
    }

    /// <summary>Calls <paramref name="handler"/> with the new state each time the stream connects or drops.</summary>
    public IDisposable SubscribeConnection(Func<bool, Task> handler) => Add(ref _connectionSubscribers, handler);

    /// <summary>
    /// Hands job updates to <paramref name="apply"/> in batches — the newest version of each job, at most once per
    /// <paramref name="interval"/> (default <see cref="LiveEventsOptions.RenderInterval"/>) — so a component renders a
    /// few times a second however busy the system is. The first update after a quiet spell goes through at once.
    /// </summary>
    public IDisposable SubscribeJobs(Func<IReadOnlyList<Job>, Task> apply, Func<Job, bool>? filter = null, TimeSpan? interval = null) =>
        new JobUpdateBuffer(this, apply, filter, interval ?? options.Value.RenderInterval, time, logger, StatusGroup);

    /// <summary>The updates of job <paramref name="jobId"/> only, as <see cref="SubscribeJobs"/> hands them (its hub group only).</summary>
    public IDisposable SubscribeJob(string jobId, Func<IReadOnlyList<Job>, Task> apply, TimeSpan? interval = null) =>
        new JobUpdateBuffer(this, apply, job => job.Id == jobId, interval ?? options.Value.RenderInterval, time, logger, JobGroup(jobId));

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

    private sealed class Both(IDisposable first, IDisposable second) : IDisposable
    {
        public void Dispose()
        {
            first.Dispose();
            second.Dispose();
        }
    }

    private sealed class GroupWatch(LiveEvents owner, string group) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unwatch(group);
            }
        }
    }

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
            TimeSpan interval, TimeProvider time, ILogger logger, string group)
        {
            _apply = apply;
            _filter = filter;
            _interval = interval;
            _time = time;
            _logger = logger;
            _subscription = events.Subscribe(OnEventAsync, group);
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
