using System.ComponentModel.DataAnnotations;

namespace Rcmd.Web.Services;

/// <summary>How the Web server follows the Api's live hub (<c>/hubs/events</c>). Section <c>Rcmd:LiveEvents</c>.</summary>
public sealed class LiveEventsOptions
{
    public const string SectionName = "Rcmd:LiveEvents";

    /// <summary>First wait before reconnecting after the stream dropped; doubles up to <see cref="MaxReconnectDelay"/>. Default 0.5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan MinReconnectDelay { get; set; } = LiveEventsConstants.MinReconnectDelay;

    /// <summary>Longest wait between reconnection attempts. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan MaxReconnectDelay { get; set; } = LiveEventsConstants.MaxReconnectDelay;

    /// <summary>
    /// A hub connection that carries nothing — not even a keep-alive ping (sent by the Api every 15 s) — for this long is
    /// taken as dead and reconnected (SignalR's server timeout). Default 45 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan IdleTimeout { get; set; } = LiveEventsConstants.IdleTimeout;

    /// <summary>
    /// Shortest time between two hand-overs of job updates to one component (the Status page, a job's detail), so a
    /// busy system renders each page at most ~20 times a second and a change reaches the browser within this much
    /// (plus the render) of its arrival. Default 50 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan RenderInterval { get; set; } = LiveEventsConstants.RenderInterval;

    /// <summary>
    /// The same for the Jobs grid, whose render (a MudDataGrid of up to 100 rows) costs many times a Status render
    /// and whose rows change together: at most ~4 renders a second. Default 250 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan ListRenderInterval { get; set; } = LiveEventsConstants.ListRenderInterval;
}

internal static class LiveEventsConstants
{
    public const string HubPath = "hubs/events";
    public static readonly TimeSpan MinReconnectDelay = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(45);
    public static readonly TimeSpan RenderInterval = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan ListRenderInterval = TimeSpan.FromMilliseconds(250);
}
