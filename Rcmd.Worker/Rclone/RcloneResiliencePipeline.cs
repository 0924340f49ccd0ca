using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using Rcmd.Rclone;

namespace Rcmd.Worker.Rclone;

/// <summary>
/// The one resilience pipeline of a Worker's calls to rcd (shared by every request, so the circuit breaker sees them
/// all). Microsoft.Extensions.Http.Resilience's standard handler, rebuilt on Polly.Core:
/// <code>
///   concurrency limiter 1000 → total timeout 30 s → retry 3× exponential + jitter (2 s base, Retry-After wins)
///     → circuit breaker (ratio 0.1 over 30 s, ≥ 100 attempts, break 5 s) → attempt timeout 10 s → rcd
/// </code>
/// Transient = 5xx, 408, 429, <see cref="HttpRequestException"/>, a timed-out attempt. Two departures from the standard,
/// both because of what rcd is:
/// <list type="bullet">
///   <item>rcd answers every call that ran and failed ("job not found", "directory not found") with 500, marked with
///     its <c>X-Rclone-Jobid</c> header. That is rcd's final word, not a sick rcd: it is neither retried nor counted
///     by the breaker (remote failures are the per-remote breaker's business, not this handler's).</item>
///   <item>A request that starts an rclone job (<see cref="RcloneRequest.StartsJob"/>) is retried only when the
///     connection was refused: any other failure may have reached rcd, and sending it again could start the transfer
///     twice.</item>
/// </list>
/// </summary>
public sealed class RcloneResiliencePipeline
{
    /// <summary>Where the handler puts the request, so the retry predicate can tell a job start from a control call.</summary>
    internal static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("Rcmd.Rclone.Request");

    public RcloneResiliencePipeline(IOptions<RcloneResilienceOptions> options, TimeProvider time, ILogger<RcloneResiliencePipeline> logger)
    {
        Pipeline = Create(options.Value, time, logger);
    }

    /// <summary>For tests: a pipeline built with <see cref="Create"/> on a fake clock.</summary>
    internal RcloneResiliencePipeline(ResiliencePipeline<HttpResponseMessage> pipeline)
    {
        Pipeline = pipeline;
    }

    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; }

    /// <summary>Builds the pipeline; <paramref name="time"/> drives every delay and timeout (tests pass a fake clock).</summary>
    public static ResiliencePipeline<HttpResponseMessage> Create(RcloneResilienceOptions options, TimeProvider time, ILogger logger,
        Func<double>? randomizer = null)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { Name = "rclone-standard", TimeProvider = time };

        builder.AddStrategy(_ => new ConcurrencyLimiterStrategy<HttpResponseMessage>(options.ConcurrencyLimit, options.ConcurrencyQueueLimit),
            new ConcurrencyLimiterStrategyOptions());

        builder.AddTimeout(new TimeoutStrategyOptions { Name = "TotalTimeout", Timeout = options.TotalTimeout });

        if (options.MaxRetryAttempts > 0)
        {
            var retry = new RetryStrategyOptions<HttpResponseMessage>
            {
                Name = "Retry",
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = options.UseJitter,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                OnRetry = args =>
                {
                    Log.RetryingRcdCall(logger, MethodOf(args.Context), args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds,
                        Describe(args.Outcome));
                    return default;
                },
            };
            if (options.ShouldRetryAfterHeader)
            {
                retry.DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome, time));
            }

            if (randomizer is not null)
            {
                retry.Randomizer = randomizer;
            }

            builder.AddRetry(retry);
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            Name = "CircuitBreaker",
            FailureRatio = options.FailureRatio,
            SamplingDuration = options.SamplingDuration,
            MinimumThroughput = options.MinimumThroughput,
            BreakDuration = options.BreakDuration,
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
            OnOpened = args =>
            {
                Log.RcdCircuitOpened(logger, args.BreakDuration.TotalSeconds, Describe(args.Outcome));
                return default;
            },
            OnClosed = _ =>
            {
                Log.RcdCircuitClosed(logger);
                return default;
            },
        });

        builder.AddTimeout(new TimeoutStrategyOptions { Name = "AttemptTimeout", Timeout = options.AttemptTimeout });
        return builder.Build();
    }

    /// <summary>The header rcd puts on the answer of every call it ran (each RC call runs as an rclone job).</summary>
    internal const string RcloneJobIdHeader = "X-Rclone-Jobid";

    /// <summary>
    /// The standard handler's idea of transient — 5xx, 408, 429, a failed connection, a timed-out attempt — less rcd's
    /// own answer to a call that ran and failed.
    /// </summary>
    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => ((int)response.StatusCode >= 500 && !response.Headers.Contains(RcloneJobIdHeader))
            || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
        _ => false,
    };

    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (!IsTransient(outcome))
        {
            return false;
        }

        // A job start may be retried only when it certainly never reached rcd.
        return !(context.Properties.TryGetValue(RequestKey, out var request) && request.IsJobStart())
            || IsConnectionRefused(outcome.Exception);
    }

    internal static bool IsConnectionRefused(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The delay a 429/503 asks for in <c>Retry-After</c>; null leaves the computed backoff.</summary>
    internal static TimeSpan? RetryAfter(Outcome<HttpResponseMessage> outcome, TimeProvider time)
    {
        var retryAfter = outcome.Result?.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta > TimeSpan.Zero ? delta : TimeSpan.Zero;
        }

        if (retryAfter?.Date is { } date)
        {
            var delay = date - time.GetUtcNow();
            return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
        }

        return null;
    }

    private static string MethodOf(ResilienceContext context) =>
        context.Properties.TryGetValue(RequestKey, out var request) && request.RequestUri is { } uri
            ? uri.AbsolutePath.TrimStart('/')
            : "?";

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } ex ? ex.GetType().Name : $"HTTP {(int?)outcome.Result?.StatusCode}";
}
