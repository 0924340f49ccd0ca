using Microsoft.AspNetCore.Components;
using Rcmd.Retention;
using Rcmd.Storage;
using Rcmd.Web.Components.Controls;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Pages;

/// <summary>
/// Retention for operators (<c>GET /api/retention</c>): how far back live history goes, what the sweep archived and
/// deleted, its last and next run, Redis's memory against its limit, and the settings in force (secrets in the archive
/// target masked). Read on open and on Refresh.
/// </summary>
public sealed partial class HistoryRetention : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private RetentionView? _view;
    private ApiError? _error;

    [Inject]
    private RcmdApiClient Api { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        var result = await Api.GetRetentionAsync(_disposed.Token);
        _error = result.Error;
        _view = result.IsSuccess ? result.Value : _view;
    }

    private string NextSweep(RetentionView view) => view.NextSweepAt switch
    {
        null => $"within {Humanize.Duration(view.Settings.SweepInterval)} of a Worker's start",
        { } at when at <= Time.GetUtcNow() => $"due now ({Humanize.Time(at)})",
        { } at => $"{Humanize.Time(at)} (in {Humanize.Duration(at - Time.GetUtcNow())})",
    };

    private static double UsedPercent(RedisMemoryInfo redis) =>
        redis.MaxMemory > 0 ? Math.Min(100, 100.0 * redis.UsedMemory / redis.MaxMemory) : 0;

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
