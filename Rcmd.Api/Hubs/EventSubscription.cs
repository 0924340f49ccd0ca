using System.Threading.Channels;

namespace Rcmd.Api.Hubs;

/// <summary>
/// One event-stream client's mailbox: bounded, never blocking the hub. While events wait, a newer update of the
/// same job replaces the older one (and moves to the back, so ids stay increasing); when the mailbox is full the
/// oldest waiting event is dropped. Dispose to leave the hub.
/// </summary>
public sealed class EventSubscription : IDisposable
{
    private readonly object _gate = new();
    private readonly LinkedList<ServerSentEvent> _waiting = new();
    private readonly Dictionary<string, LinkedListNode<ServerSentEvent>> _byKey = new(StringComparer.Ordinal);
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private readonly IReadOnlySet<string>? _types;
    private readonly int _capacity;
    private readonly Action<EventSubscription>? _onDispose;
    private bool _disposed;

    public EventSubscription(int capacity, IReadOnlySet<string>? types = null, Action<EventSubscription>? onDispose = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _types = types;
        _onDispose = onDispose;
    }

    /// <summary>Events dropped because this client fell behind by more than its capacity.</summary>
    public long Dropped { get; private set; }

    /// <summary>Events replaced by a newer update of the same job before they were sent.</summary>
    public long Coalesced { get; private set; }

    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>Adds an event if the client wants its type. Never blocks on the client.</summary>
    public void Post(ServerSentEvent item)
    {
        if (_types is not null && !_types.Contains(item.Type))
        {
            return;
        }

        var key = item.CoalescingKey;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (_byKey.Remove(key, out var previous))
            {
                _waiting.Remove(previous);
                Coalesced++;
            }
            else if (_waiting.Count >= _capacity && _waiting.First is { } oldest)
            {
                _waiting.RemoveFirst();
                _byKey.Remove(oldest.Value.CoalescingKey);
                Dropped++;
            }

            _byKey[key] = _waiting.AddLast(item);
        }

        _signal.Writer.TryWrite(true);
    }

    /// <summary>Moves every waiting event, oldest first, into <paramref name="into"/>.</summary>
    public int Drain(List<ServerSentEvent> into)
    {
        lock (_gate)
        {
            var count = _waiting.Count;
            into.AddRange(_waiting);
            _waiting.Clear();
            _byKey.Clear();
            return count;
        }
    }

    /// <summary>Completes when events may be waiting (or with false once disposed).</summary>
    public async Task<bool> WaitAsync(CancellationToken cancellationToken)
    {
        var ready = await _signal.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        _signal.Reader.TryRead(out _);
        return ready;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _waiting.Clear();
            _byKey.Clear();
        }

        _signal.Writer.TryComplete();
        _onDispose?.Invoke(this);
    }
}
