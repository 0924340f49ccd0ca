using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Options;
using Rcmd.Events;
using Rcmd.Serialization;
using Rcmd.Web.Security;

namespace Rcmd.Web.Services;

/// <summary>
/// Keeps the Web process's ONE SignalR connection to the Api's hub (<c>/hubs/events</c>) and feeds
/// <see cref="LiveEvents"/>. It is in the hub groups the open pages need (<see cref="LiveEvents.Groups"/>), joining and
/// leaving as pages come and go. Reconnects by itself (<c>WithAutomaticReconnect</c>, backoff with jitter, forever); after
/// a reconnect it joins its groups again and then says "connected", which makes every open page read its state again,
/// so nothing that happened while the connection was down is missed. Sends <c>X-Api-Key</c> when one is configured; in
/// server mode it signs in with the session of a user who has a page open (<see cref="LiveHubTokens"/>) and waits while
/// nobody has.
/// </summary>
public sealed partial class LiveHubClient : BackgroundService
{
    private readonly LiveEvents _events;
    private readonly IOptions<LiveEventsOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LiveHubClient> _logger;
    private readonly HubConnection _connection;
    private readonly SemaphoreSlim _groupsGate = new(1, 1);

    private readonly LiveHubTokens? _tokens;
    private string? _usedToken;

    public LiveHubClient(LiveEvents events, IOptions<RcmdApiOptions> api, IOptions<LiveEventsOptions> options, TimeProvider time,
        ILogger<LiveHubClient> logger, LiveHubTokens? tokens = null)
    {
        _tokens = tokens is { Required: true } ? tokens : null;
        ArgumentNullException.ThrowIfNull(api);
        _events = events;
        _options = options;
        _time = time;
        _logger = logger;
        var address = new Uri(api.Value.HubAddress ?? api.Value.BaseAddress ?? throw new InvalidOperationException("The Api's address is not configured."),
            LiveEventsConstants.HubPath);
        var key = api.Value.ApiKey;
        _connection = new HubConnectionBuilder()
            .WithUrl(address, http =>
            {
                if (_tokens is not null)
                {
                    http.AccessTokenProvider = () => Task.FromResult(_usedToken = _tokens.Current);
                }
                else if (key is { Length: > 0 })
                {
                    http.Headers[RcmdApiConstants.ApiKeyHeader] = key;
                }
            })
            .WithAutomaticReconnect(new Backoff(options.Value.MinReconnectDelay, options.Value.MaxReconnectDelay))
            .Build();
        _connection.ServerTimeout = options.Value.IdleTimeout;
        _connection.KeepAliveInterval = options.Value.IdleTimeout / 3;
        _connection.On<string, string>("Event", OnEventAsync);
        _connection.Reconnecting += OnReconnectingAsync;
        _connection.Reconnected += OnReconnectedAsync;
        _events.GroupChanged += OnGroupChanged;
    }

    /// <summary>The connection's state (for tests and the health of the feed).</summary>
    public HubConnectionState State => _connection.State;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (_tokens is not null && _connection.State == HubConnectionState.Disconnected)
            {
                try
                {
                    await _tokens.Available.WaitAsync(stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            if (_connection.State == HubConnectionState.Disconnected)
            {
                try
                {
                    await _connection.StartAsync(stoppingToken);
                    LogConnected(_logger, _connection.ConnectionId ?? "?");
                    failures = 0;
                    await OnConnectedAsync();
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (HttpRequestException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Unauthorized && _tokens is not null && _usedToken is { } refused)
                {
                    // That user signed out (or their session ended): connect with another open page's session.
                    _tokens.Remove(refused);
                    continue;
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException
                    or System.Net.WebSockets.WebSocketException or TimeoutException or OperationCanceledException)
                {
                    if (failures == 0)
                    {
                        LogConnectFailed(_logger, ex.GetType().Name, ex.Message);
                    }

                    failures++;
                }
            }

            // Automatic reconnection handles drops; this loop covers the first start and a connection that gave up.
            var delay = _connection.State == HubConnectionState.Disconnected
                ? Backoff.Delay(failures, _options.Value.MinReconnectDelay, _options.Value.MaxReconnectDelay)
                : _options.Value.MaxReconnectDelay;
            try
            {
                await Task.Delay(delay, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (_connection.State == HubConnectionState.Disconnected && _events.IsConnected)
            {
                await _events.SetConnectedAsync(false);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _events.GroupChanged -= OnGroupChanged;
        await base.StopAsync(cancellationToken);
        try
        {
            await _connection.StopAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStopFailed(_logger, ex.GetType().Name);
        }

        await _events.SetConnectedAsync(false);
    }

    public override void Dispose()
    {
        _events.GroupChanged -= OnGroupChanged;
        base.Dispose();
        _connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _groupsGate.Dispose();
    }

    private async Task OnConnectedAsync()
    {
        await JoinAllAsync();
        await _events.SetConnectedAsync(true);
    }

    private async Task OnReconnectingAsync(Exception? error)
    {
        LogReconnecting(_logger, error?.GetType().Name ?? "closed", error?.Message ?? string.Empty);
        await _events.SetConnectedAsync(false);
    }

    private async Task OnReconnectedAsync(string? connectionId)
    {
        LogConnected(_logger, connectionId ?? "?");
        await OnConnectedAsync();
    }

    /// <summary>Joins every group the open pages need (a new connection is in none).</summary>
    private async Task JoinAllAsync()
    {
        await _groupsGate.WaitAsync();
        try
        {
            foreach (var group in _events.Groups)
            {
                await _connection.InvokeAsync<bool>("Join", group);
            }
        }
        finally
        {
            _groupsGate.Release();
        }
    }

    private void OnGroupChanged(string group, bool needed) => _ = ChangeGroupAsync(group, needed);

    private async Task ChangeGroupAsync(string group, bool needed)
    {
        if (_connection.State != HubConnectionState.Connected)
        {
            // Joined on (re)connection.
            return;
        }

        await _groupsGate.WaitAsync();
        try
        {
            // Still wanted (or still not) after waiting for the gate?
            if (_events.Groups.Contains(group) != needed || _connection.State != HubConnectionState.Connected)
            {
                return;
            }

            if (needed)
            {
                await _connection.InvokeAsync<bool>("Join", group);
            }
            else
            {
                await _connection.InvokeAsync("Leave", group);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The connection dropped: the reconnection joins what is needed then.
            LogGroupFailed(_logger, group, ex.GetType().Name);
        }
        finally
        {
            _groupsGate.Release();
        }
    }

    private async Task OnEventAsync(string type, string json)
    {
        RcmdEvent? @event;
        try
        {
            @event = JsonSerializer.Deserialize(json, RcmdJsonContext.Default.RcmdEvent);
        }
        catch (JsonException ex)
        {
            LogBadEvent(_logger, type, ex.Message);
            return;
        }

        if (@event is not null)
        {
            await _events.PublishAsync(string.IsNullOrEmpty(@event.Type) ? @event with { Type = type } : @event);
        }
    }

    /// <summary>Exponential backoff with ±20 % jitter between the options' bounds; never gives up.</summary>
    internal sealed class Backoff(TimeSpan min, TimeSpan max) : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) => Delay((int)Math.Min(retryContext.PreviousRetryCount, 16), min, max);

        public static TimeSpan Delay(int failures, TimeSpan min, TimeSpan max)
        {
            var exponential = min.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 16));
            var capped = Math.Min(exponential, max.TotalMilliseconds);
            var jittered = capped * (0.8 + (Random.Shared.NextDouble() * 0.4));
            return TimeSpan.FromMilliseconds(Math.Max(min.TotalMilliseconds, Math.Min(jittered, max.TotalMilliseconds)));
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Live hub connected ({ConnectionId})")]
    private static partial void LogConnected(ILogger logger, string connectionId);

    [LoggerMessage(2, LogLevel.Warning, "Live hub unreachable: {ExceptionType}: {Reason}; retrying")]
    private static partial void LogConnectFailed(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Live hub connection lost ({ExceptionType}: {Reason}); reconnecting")]
    private static partial void LogReconnecting(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(4, LogLevel.Debug, "Could not change hub group {Group} ({ExceptionType}); the next reconnection joins it")]
    private static partial void LogGroupFailed(ILogger logger, string group, string exceptionType);

    [LoggerMessage(5, LogLevel.Warning, "Ignored a live event '{EventType}' that is not valid JSON: {Reason}")]
    private static partial void LogBadEvent(ILogger logger, string eventType, string reason);

    [LoggerMessage(6, LogLevel.Debug, "Stopping the live hub connection failed ({ExceptionType})")]
    private static partial void LogStopFailed(ILogger logger, string exceptionType);
}
