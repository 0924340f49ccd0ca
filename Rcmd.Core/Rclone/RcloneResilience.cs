using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace Rcmd.Rclone;

/// <summary>
/// The standard resilience handler (Microsoft.Extensions.Http.Resilience: rate limiter → total timeout → retry →
/// circuit breaker → attempt timeout, with its defaults) on the rcd client, bound from <c>Rclone:Resilience</c>
/// (<c>Rclone__Resilience__AttemptTimeout__Timeout=00:00:05</c>, …: the shape of <see cref="HttpStandardResilienceOptions"/>).
/// Three rules because of what rcd is:
/// <list type="bullet">
///   <item>rcd answers every call that ran and failed ("job not found", "directory not found") with 500, marked with its
///     <c>X-Rclone-Jobid</c> header. That is rcd's final word, not a sick rcd: neither retried nor counted by the breaker
///     (remote failures are the per-remote breakers' business).</item>
///   <item>A request that starts an rclone job (<see cref="RcloneRequest.StartsJob"/>) is retried only when the connection
///     was refused: any other failure may have reached rcd, and sending it again could start the transfer twice.</item>
///   <item>A synchronous transfer (<see cref="RcloneRequest.LongRunning"/>, a batch item) lasts as long as the file takes:
///     no attempt or total timeout cuts it, it is never re-sent, and the breaker does not judge rcd by it.</item>
/// </list>
/// </summary>
public static class RcloneResilience
{
    public const string Section = "Rclone:Resilience";

    /// <summary>The header rcd puts on the answer of every call it ran (each RC call runs as an rclone job).</summary>
    public const string RcloneJobIdHeader = "X-Rclone-Jobid";

    /// <summary>Replaces the defaults' handler (ServiceDefaults gives every client one) with rcd's.</summary>
    public static IHttpClientBuilder AddRcloneResilience(this IHttpClientBuilder http, IConfiguration configuration)
    {
        http.RemoveAllResilienceHandlers();
        http.AddStandardResilienceHandler(options =>
        {
            configuration.GetSection(Section).Bind(options);
            Apply(options);
        });
        // The handler validates its options when it first builds the pipeline; a bad setting should stop the start instead.
        http.Services.AddOptions<HttpStandardResilienceOptions>(http.Name + "-standard").ValidateOnStart();
        return http;
    }

    /// <summary>rcd's rules over whatever the options say about counts and durations.</summary>
    public static void Apply(HttpStandardResilienceOptions options)
    {
        options.Retry.ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.GetRequestMessage()));
        options.CircuitBreaker.ShouldHandle = args =>
            ValueTask.FromResult(args.Context.GetRequestMessage()?.IsLongRunning() != true && IsTransient(args.Outcome));
        var attempt = options.AttemptTimeout.Timeout;
        options.AttemptTimeout.TimeoutGenerator = args => ValueTask.FromResult(Unbounded(args.Context) ? Timeout.InfiniteTimeSpan : attempt);
        var total = options.TotalRequestTimeout.Timeout;
        options.TotalRequestTimeout.TimeoutGenerator = args => ValueTask.FromResult(Unbounded(args.Context) ? Timeout.InfiniteTimeSpan : total);
    }

    /// <summary>
    /// The standard handler's idea of transient — 5xx, 408, 429, a failed connection, a timed-out attempt — less rcd's
    /// own answer to a call that ran and failed.
    /// </summary>
    public static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => ((int)response.StatusCode >= 500 && !response.Headers.Contains(RcloneJobIdHeader))
            || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
        _ => false,
    };

    public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request)
    {
        if (request?.IsLongRunning() == true || !IsTransient(outcome))
        {
            return false;
        }

        // A job start may be retried only when it certainly never reached rcd.
        return request?.IsJobStart() != true || IsConnectionRefused(outcome.Exception);
    }

    public static bool IsConnectionRefused(Exception? exception)
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

    private static bool Unbounded(ResilienceContext context) => context.GetRequestMessage()?.IsLongRunning() == true;
}
