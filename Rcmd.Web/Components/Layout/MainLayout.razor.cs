using Microsoft.AspNetCore.Components;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Layout;

/// <summary>Navigation, and the state of the Api's live stream shown on every page (no silently stale page).</summary>
public sealed partial class MainLayout : IDisposable
{
    private bool _sidebarExpanded = true;
    private bool _liveConnected;
    private IDisposable? _connection;

    [Inject]
    private LiveEvents Live { get; set; } = default!;

    protected override void OnInitialized()
    {
        _liveConnected = Live.IsConnected;
        _connection = Live.SubscribeConnection(connected => InvokeAsync(() =>
        {
            _liveConnected = connected;
            StateHasChanged();
        }));
    }

    public void Dispose() => _connection?.Dispose();
}
