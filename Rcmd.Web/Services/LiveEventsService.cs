using System.Text.Json;
using Microsoft.Extensions.Options;
using Rcmd.Events;
using Rcmd.Serialization;

namespace Rcmd.Web.Services;

/// <summary>
/// Keeps the Web process's ONE connection to the Api's live stream (<c>GET /api/sse/status</c>) open and feeds
/// <see cref="LiveEvents"/>. Reconnects with exponential backoff and jitter; a stream that stays silent longer than
/// <see cref="LiveEventsOptions.IdleTimeout"/> (no event, no heartbeat) is reopened.
/// </summary>
public sealed partial class LiveEventsService(
    IHttpClientFactory httpClientFactory,
    LiveEvents events,
    IOptions<LiveEventsOptions> options,
    TimeProvider time,
    ILogger<LiveEventsService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FollowStreamAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or InvalidOperationException)
            {
                // Said once per outage; the retries that follow log at Debug.
                if (failures == 0 || events.IsConnected)
                {
                    LogStreamFailed(logger, ex.GetType().Name, ex.Message);
                }
                else
                {
                    LogStreamStillFailing(logger, failures, ex.GetType().Name, ex.Message);
                }
            }

            if (events.IsConnected)
            {
                // The stream was open: this is a new outage, start the backoff over.
                failures = 0;
                await events.SetConnectedAsync(false);
            }

            var delay = Backoff(failures++);
            LogReconnecting(logger, delay.TotalMilliseconds);
            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await events.SetConnectedAsync(false);
    }

    /// <summary>Opens the stream and publishes its events until it ends, goes silent or fails.</summary>
    private async Task FollowStreamAsync(CancellationToken stoppingToken)
    {
        var http = httpClientFactory.CreateClient(LiveEventsConstants.HttpClientName);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        idle.CancelAfter(options.Value.IdleTimeout);

        using var request = new HttpRequestMessage(HttpMethod.Get, LiveEventsConstants.StatusStreamPath);
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, idle.Token);
        response.EnsureSuccessStatusCode();

        await using var stream = await response.Content.ReadAsStreamAsync(idle.Token);
        LogConnected(logger, http.BaseAddress?.ToString() ?? "(none)");
        await events.SetConnectedAsync(true);

        try
        {
            await foreach (var message in SseReader.ReadAsync(stream, idle.Token))
            {
                idle.CancelAfter(options.Value.IdleTimeout);
                if (message.IsHeartbeat)
                {
                    continue;
                }

                if (Parse(message) is { } @event)
                {
                    await events.PublishAsync(@event);
                }
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            LogIdle(logger, options.Value.IdleTimeout.TotalSeconds);
        }

        LogStreamEnded(logger);
    }

    private RcmdEvent? Parse(SseMessage message)
    {
        try
        {
            var @event = JsonSerializer.Deserialize(message.Data, RcmdJsonContext.Default.RcmdEvent);
            if (@event is null)
            {
                return null;
            }

            // The SSE event name wins over a missing "type" in the body.
            return string.IsNullOrEmpty(@event.Type) && message.EventType != SseReader.DefaultEventType
                ? @event with { Type = message.EventType }
                : @event;
        }
        catch (JsonException ex)
        {
            LogBadEvent(logger, message.EventType, ex.Message);
            return null;
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var min = options.Value.MinReconnectDelay;
        var max = options.Value.MaxReconnectDelay;
        var exponential = min.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 16));
        var capped = Math.Min(exponential, max.TotalMilliseconds);
        var jittered = capped * (0.8 + (Random.Shared.NextDouble() * 0.4));
        return TimeSpan.FromMilliseconds(Math.Max(min.TotalMilliseconds, Math.Min(jittered, max.TotalMilliseconds)));
    }

    [LoggerMessage(1, LogLevel.Information, "Live stream from the Api connected ({BaseAddress})")]
    private static partial void LogConnected(ILogger logger, string baseAddress);

    [LoggerMessage(2, LogLevel.Information, "Live stream from the Api ended")]
    private static partial void LogStreamEnded(ILogger logger);

    [LoggerMessage(3, LogLevel.Warning, "Live stream from the Api failed: {ExceptionType}: {Reason}")]
    private static partial void LogStreamFailed(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(7, LogLevel.Debug, "Live stream from the Api still unavailable after {Failures} attempts: {ExceptionType}: {Reason}")]
    private static partial void LogStreamStillFailing(ILogger logger, int failures, string exceptionType, string reason);

    [LoggerMessage(4, LogLevel.Debug, "Reconnecting to the Api's live stream in {DelayMs:F0} ms")]
    private static partial void LogReconnecting(ILogger logger, double delayMs);

    [LoggerMessage(5, LogLevel.Warning, "Live stream carried nothing for {Seconds} s; reopening it")]
    private static partial void LogIdle(ILogger logger, double seconds);

    [LoggerMessage(6, LogLevel.Warning, "Ignored a live event '{EventType}' that is not valid JSON: {Reason}")]
    private static partial void LogBadEvent(ILogger logger, string eventType, string reason);
}
