using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Rcmd.Api.Services;
using Rcmd.Storage;

namespace Rcmd.Api.Rc;

/// <summary>
/// <c>job/stop</c> of an async <c>job/batch</c>, durable: the request is a Redis key (<see cref="RedisKeys.RcBatchStop"/>)
/// that the Api holding the batch's lease reads before it starts each input and at each lease renewal (every third of
/// <see cref="RcOptions.BatchLease"/>), and that an Api resuming the batch reads first — so a stop survives any Api
/// restart between the request and the batch noticing it. An Api that runs the batch itself is told at once.
/// As rclone's stop cancels the batch's context: no further input starts, inputs in flight stop (the Rcmd jobs of
/// synchronous transfer inputs are canceled through <see cref="JobCanceler"/>, the path <c>POST /api/jobs/{id}/cancel</c>
/// takes), and each answers rclone's <c>"context canceled"</c> error; an <c>_async</c> transfer input's job is its own
/// RC job, detached from the batch as in rclone, and is not stopped with it.
/// </summary>
internal sealed class RcBatchStops(RedisConnection redis, JobCanceler canceler)
{
    /// <summary>What a stopped input answers and a stopped batch's error says: the words rclone's canceled context gives.</summary>
    public const string Canceled = "context canceled";

    /// <summary>How long a stop request is kept when its batch never ends (the batch records' TTL): 7 days.</summary>
    private static readonly TimeSpan RequestTtl = TimeSpan.FromDays(7);

    /// <summary>The async batches this Api runs now, each with the source that stops it here.</summary>
    private readonly ConcurrentDictionary<long, RcBatchStop> _watched = new();

    private RedisKeys Keys => redis.Keys;

    /// <summary>Records the stop of batch <paramref name="rcJobId"/>; stops it at once when this Api runs it.</summary>
    public async Task RequestAsync(long rcJobId, CancellationToken cancellationToken)
    {
        await redis.Database.StringSetAsync(Keys.RcBatchStop(rcJobId), "1", RequestTtl).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_watched.TryGetValue(rcJobId, out var stop))
        {
            stop.Stop();
        }
    }

    /// <summary>
    /// Reads the stop request of the batch <paramref name="stop"/> watches and stops it when there is one; true when stopped.
    /// </summary>
    public async Task<bool> CheckAsync(RcBatchStop stop, CancellationToken cancellationToken)
    {
        if (!stop.IsStopped && await redis.Database.KeyExistsAsync(Keys.RcBatchStop(stop.RcJobId)).WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            stop.Stop();
        }

        return stop.IsStopped;
    }

    /// <summary>Watches batch <paramref name="rcJobId"/> while this Api runs it; its token ends with <paramref name="running"/> too.</summary>
    public RcBatchStop Watch(long rcJobId, CancellationToken running)
    {
        var stop = new RcBatchStop(rcJobId, running, this);
        _watched[rcJobId] = stop;
        return stop;
    }

    internal void Forget(RcBatchStop stop) => _watched.TryRemove(new KeyValuePair<long, RcBatchStop>(stop.RcJobId, stop));

    /// <summary>
    /// Cancels the Rcmd jobs of the batch's inputs in flight: those its results hash names as queued (<c>pending</c>) and
    /// not yet answered. Called once every input has stopped, so none is queued after it.
    /// </summary>
    public async Task<int> CancelInFlightAsync(long rcJobId, CancellationToken cancellationToken)
    {
        var entries = await redis.Database.HashGetAllAsync(Keys.RcBatchResults(rcJobId)).WaitAsync(cancellationToken).ConfigureAwait(false);
        var canceled = 0;
        foreach (var entry in entries)
        {
            if (JsonNode.Parse((string)entry.Value!) is JsonObject { } saved && saved["reply"] is null
                && saved["job"] is JsonValue job && job.TryGetValue<string>(out var jobId))
            {
                await canceler.CancelAsync(jobId, cancellationToken).ConfigureAwait(false);
                canceled++;
            }
        }

        return canceled;
    }

    /// <summary>The reply of an input the stop cut: rclone's error shape, as its canceled context makes the call fail.</summary>
    public static JsonObject CanceledReply(string path, JsonObject input) =>
        RcReply.Error(path, input, Canceled, StatusCodes.Status500InternalServerError).Body;
}

/// <summary>One running async batch's stop: <see cref="Token"/> ends when it is stopped or its Api stops.</summary>
internal sealed class RcBatchStop : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly RcBatchStops _owner;
    private int _stopped;

    public RcBatchStop(long rcJobId, CancellationToken running, RcBatchStops owner)
    {
        RcJobId = rcJobId;
        _source = CancellationTokenSource.CreateLinkedTokenSource(running);
        _owner = owner;
    }

    public long RcJobId { get; }

    /// <summary>Canceled once the batch is stopped, or its Api stops.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>True once a stop request was seen (not merely the Api stopping).</summary>
    public bool IsStopped => Volatile.Read(ref _stopped) == 1;

    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            try
            {
                _source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // ended meanwhile
            }
        }
    }

    public void Dispose()
    {
        _owner.Forget(this);
        _source.Dispose();
    }
}
