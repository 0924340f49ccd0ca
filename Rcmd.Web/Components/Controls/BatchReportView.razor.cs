using Microsoft.AspNetCore.Components;
using Rcmd.Batches;
using Rcmd.Jobs;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Controls;

/// <summary>
/// The partial-success report of a batch job: its counts as the job carries them (live with the job's updates), and
/// its items from <c>GET /api/batches/{id}/report</c> a page at a time, filtered by item state and error code, with
/// CSV/JSON downloads of the same filter. The page of items is read again when the batch moves on (at most every
/// <see cref="ReloadInterval"/>) and when it ends.
/// </summary>
public sealed partial class BatchReportView : IDisposable
{
    internal const int Limit = 50;
    internal static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _disposed = new();
    private BatchReportFilter _filter = new();
    private long _offset;
    private BatchReport? _report;
    private ApiError? _error;
    private bool _loading;
    private string? _loadedId;
    private DateTimeOffset _loadedUpdate;
    private JobState _loadedState;
    private long _lastLoad;

    [Parameter, EditorRequired]
    public Job Job { get; set; } = default!;

    [Inject]
    private RcmdApiClient Api { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        if (Job.Batch is null)
        {
            return;
        }

        if (_loadedId != Job.Id)
        {
            _loadedId = Job.Id;
            _filter = new BatchReportFilter();
            _offset = 0;
            _report = null;
            await LoadAsync();
        }
        else if (Job.UpdatedAt > _loadedUpdate && !_loading
            && (Job.State != _loadedState || Time.GetElapsedTime(_lastLoad) >= ReloadInterval))
        {
            await LoadAsync();
        }
    }

    private async Task LoadAsync()
    {
        var job = Job;
        _loading = true;
        _loadedUpdate = job.UpdatedAt;
        _loadedState = job.State;
        _lastLoad = Time.GetTimestamp();
        try
        {
            var result = await Api.GetBatchReportAsync(job.Id, _filter, _offset, Limit, _disposed.Token);
            if (job.Id != Job.Id)
            {
                return;
            }

            _error = result.Error;
            if (result.IsSuccess)
            {
                _report = result.Value;
            }
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // The page was closed.
        }
        finally
        {
            _loading = false;
        }
    }

    private Task OnStateChangedAsync(ChangeEventArgs args) =>
        FilterAsync(_filter with { State = BatchItemStates.TryParse(args.Value as string, out var state) ? state : null });

    private Task OnCodeChangedAsync(ChangeEventArgs args) =>
        SetCodeAsync(args.Value as string is { Length: > 0 } code ? code : null);

    private Task SetCodeAsync(string? code) => FilterAsync(_filter with { Code = code });

    private Task FilterAsync(BatchReportFilter filter)
    {
        _filter = filter;
        _offset = 0;
        return LoadAsync();
    }

    private Task PageAsync(int direction)
    {
        _offset = Math.Max(0, _offset + (direction * Limit));
        return LoadAsync();
    }

    /// <summary>Codes to filter by: those the batch has failures for, and the one chosen.</summary>
    private IEnumerable<string> CodeOptions(BatchSummary batch) =>
        batch.FailedByCode.Keys.Append(_filter.Code ?? string.Empty).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

    private static IEnumerable<(string Key, string Label, long Value)> Counts(BatchSummary batch) =>
    [
        ("total", "items", batch.Total),
        ("succeeded", "succeeded", batch.Succeeded),
        ("failed", "failed", batch.Failed),
        ("skipped", "skipped", batch.Skipped),
        ("retry-queued", "to retry", batch.RetryQueued),
        ("running", "running", batch.Running),
        ("pending", "pending", batch.Pending),
    ];

    private string RangeText(BatchReport report) => report.Items.Count == 0
        ? string.Empty
        : $"{Humanize.Number(_offset + 1)}–{Humanize.Number(_offset + report.Items.Count)} of {Humanize.Number(report.Matched)}"
            + (_filter.IsEmpty ? string.Empty : " matching");

    public void Dispose() => _disposed.Cancel();
}
