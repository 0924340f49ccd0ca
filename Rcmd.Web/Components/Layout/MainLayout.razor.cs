using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Layout;

/// <summary>
/// Navigation, the light/dark switch (remembered in the browser's local storage and a cookie: a prerendered page is served
/// in the remembered theme and its circuit takes it over, no light flash), and the state of the Api's live connection
/// shown on every page (no silently stale page).
/// </summary>
public sealed partial class MainLayout : IDisposable
{
    internal const string ThemeStorageKey = "rcmd-theme";

    private bool _drawerOpen = true;
    private bool _liveConnected;
    private bool _dark;
    private IDisposable? _connection;
    private PersistingComponentStateSubscription? _persisting;
    private const string ThemeStateKey = "layout:theme";

    /// <summary>The request, while the layout is prerendered (its theme cookie); null in the circuit.</summary>
    [CascadingParameter]
    private Microsoft.AspNetCore.Http.HttpContext? HttpContext { get; set; }

    [Inject]
    private PersistentComponentState PageState { get; set; } = default!;

    [Inject]
    private LiveEvents Live { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [Inject]
    private Rcmd.Web.Security.DashboardUser User { get; set; } = default!;

    protected override void OnInitialized()
    {
        _liveConnected = Live.IsConnected;
        if (!RendererInfo.IsInteractive)
        {
            _dark = HttpContext?.Request.Cookies[ThemeStorageKey] == "dark";
            _persisting = PageState.Keep(ThemeStateKey, () => _dark ? "dark" : null, ThemeJson);
            return;
        }

        _dark = PageState.TryTake(ThemeStateKey, ThemeJson, out var kept) && kept == "dark";

        _connection = Live.SubscribeConnection(connected => InvokeAsync(() =>
        {
            _liveConnected = connected;
            StateHasChanged();
        }));
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        try
        {
            var stored = await JS.InvokeAsync<string?>("localStorage.getItem", ThemeStorageKey);
            if (stored == "dark" && !_dark)
            {
                // Chosen before the cookie was: remembered in it too, so the next prerendered page is dark at once.
                _dark = true;
                StateHasChanged();
                await JS.InvokeVoidAsync("rcmdTheme.remember", "dark");
            }
        }
        catch (Exception ex) when (ex is JSException or JSDisconnectedException or InvalidOperationException or TaskCanceledException)
        {
            // No storage (private window) or the circuit went away: the light theme stays.
        }
    }

    private async Task ToggleThemeAsync()
    {
        _dark = !_dark;
        try
        {
            await JS.InvokeVoidAsync("rcmdTheme.remember", _dark ? "dark" : "light");
        }
        catch (Exception ex) when (ex is JSException or JSDisconnectedException or TaskCanceledException)
        {
            // Not remembered; the switch still applies to this page.
        }
    }

    private static System.Text.Json.Serialization.Metadata.JsonTypeInfo<string> ThemeJson =>
        Rcmd.Serialization.RcmdJsonContext.Default.String;

    public void Dispose()
    {
        _persisting?.Dispose();
        _connection?.Dispose();
    }
}

/// <summary>The one theme of the dashboard (light and dark palettes).</summary>
internal static class RcmdTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3f51b5",
            AppbarBackground = "#3f51b5",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7986cb",
        },
    };
}
