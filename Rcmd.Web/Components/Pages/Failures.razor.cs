using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Rcmd.Failures;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Pages;

/// <summary>
/// The seed's failure panels from Rcmd's own data (<c>GET /api/stats/failures</c>): failure ratio overall and by type,
/// top 5 codes, mean duration by code, unknown ratio, retry pressure and effectiveness, over 15 m / 1 h / 24 h.
/// Re-read every few seconds while open (the Api aggregates per minute; one small request per page).
/// </summary>
public sealed partial class Failures : IDisposable
{
    internal static readonly IReadOnlyList<string> Windows = ["15m", "1h", "24h"];
    internal static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _disposed = new();
    private string _window = "15m";
    private FailureStats? _stats;
    private ApiError? _error;
    private ITimer? _refresh;
    private IDisposable? _connection;

    [Inject]
    private RcmdApiClient Api { get; set; } = default!;

    [Inject]
    private LiveEvents Live { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    /// <summary>The window from the address: <c>/failures?window=1h</c>.</summary>
    [SupplyParameterFromQuery(Name = "window")]
    public string? WindowQuery { get; set; }

    protected override async Task OnInitializedAsync()
    {
        _window = Windows.Contains(WindowQuery ?? string.Empty) ? WindowQuery! : "15m";
        _connection = Live.SubscribeConnection(connected => connected ? InvokeAsync(LoadAsync) : Task.CompletedTask);
        _refresh = Time.CreateTimer(_ => _ = InvokeAsync(LoadAsync), null, RefreshInterval, RefreshInterval);
        await LoadAsync();
    }

    private async Task OnWindowChangedAsync(string window)
    {
        _window = window;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        var window = _window;
        var result = await Api.GetFailureStatsAsync(window, _disposed.Token);
        if (window != _window)
        {
            return;
        }

        _error = result.Error;
        if (result.IsSuccess)
        {
            _stats = result.Value;
        }

        StateHasChanged();
    }

    private static string Percent(double? value) =>
        value is { } v ? v.ToString("0.#", CultureInfo.InvariantCulture) + "%" : "—";

    private static IReadOnlyList<CodeSeconds> DurationSeconds(IReadOnlyList<CodeFailureStats> codes) =>
        [.. codes.Select(c => new CodeSeconds(c.Code, Math.Round(c.MeanDurationMs / 1000, 2)))];

    internal sealed record CodeSeconds(string Code, double Seconds);

    private static readonly ChartOptions ChartOptions = new() { ShowLegend = false };

    private static List<ChartSeries<double>> Series(string name, IEnumerable<double> values) =>
        [new ChartSeries<double> { Name = name, Data = new ChartData<double>([.. values]) }];

    public void Dispose()
    {
        _refresh?.Dispose();
        _connection?.Dispose();
        _disposed.Cancel();
    }
}
