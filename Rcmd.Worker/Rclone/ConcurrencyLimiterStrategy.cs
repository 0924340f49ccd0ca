using Polly;

namespace Rcmd.Worker.Rclone;

/// <summary>
/// The concurrency limiter of the standard pipeline (Polly.RateLimiting is not on our package source): at most
/// <c>permitLimit</c> executions at once, up to <c>queueLimit</c> more waiting; beyond that the call is rejected with
/// <see cref="ConcurrencyLimitRejectedException"/> without reaching rcd.
/// </summary>
internal sealed class ConcurrencyLimiterStrategy<T>(int permitLimit, int queueLimit) : ResilienceStrategy<T>
{
    private readonly SemaphoreSlim _permits = new(permitLimit, permitLimit);
    private int _queued;

    protected override async ValueTask<Outcome<T>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback, ResilienceContext context, TState state)
    {
        if (!_permits.Wait(0))
        {
            if (Interlocked.Increment(ref _queued) > queueLimit)
            {
                Interlocked.Decrement(ref _queued);
                return Outcome.FromException<T>(new ConcurrencyLimitRejectedException(permitLimit));
            }

            try
            {
                await _permits.WaitAsync(context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
            }
            catch (OperationCanceledException ex)
            {
                return Outcome.FromException<T>(ex);
            }
            finally
            {
                Interlocked.Decrement(ref _queued);
            }
        }

        try
        {
            return await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        finally
        {
            _permits.Release();
        }
    }
}

/// <summary>Options of <see cref="ConcurrencyLimiterStrategy{T}"/> as Polly's builder wants them (the numbers travel with the strategy).</summary>
internal sealed class ConcurrencyLimiterStrategyOptions : ResilienceStrategyOptions
{
    public ConcurrencyLimiterStrategyOptions() => Name = "ConcurrencyLimiter";
}

/// <summary>A call to rcd was refused because too many were in flight already; it never reached rcd.</summary>
public sealed class ConcurrencyLimitRejectedException : ExecutionRejectedException
{
    public ConcurrencyLimitRejectedException(int permitLimit)
        : base($"More than {permitLimit} requests to rcd at once; this one was rejected without being sent.")
    {
    }

    public ConcurrencyLimitRejectedException()
    {
    }

    public ConcurrencyLimitRejectedException(string message) : base(message)
    {
    }

    public ConcurrencyLimitRejectedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
