using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Rcmd.Security;
using Rcmd.Web.Security;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Pages;

/// <summary>
/// The audit trail for admins (<c>GET /api/audit</c>): who did what to what, when, from where and how it ended, newest
/// first, filtered by user, action, outcome and time, a page of <see cref="PageSize"/> at a time (Older follows the
/// Api's cursor; Newer goes back). Other roles see why they may not (the Api refuses them anyway).
/// </summary>
public sealed partial class Audit : IDisposable
{
    internal const int PageSize = 50;
    private const string AnyOutcome = "";

    private readonly CancellationTokenSource _disposed = new();
    private readonly Stack<string?> _cursors = new();
    private string? _before;
    private AuditFilter _filter = new();
    private AuditPage? _page;
    private ApiError? _error;
    private bool _loading;
    private string? _user;
    private string? _action;
    private string _outcome = AnyOutcome;
    private string? _since;
    private string? _until;

    [Inject]
    private RcmdApiClient Api { get; set; } = default!;

    [Inject]
    private DashboardUser User { get; set; } = default!;

    protected override Task OnInitializedAsync() => User.Can(Role.Admin) ? LoadAsync() : Task.CompletedTask;

    private Task ApplyAsync()
    {
        _filter = new AuditFilter(_user, _action, _outcome == AnyOutcome ? null : _outcome, LocalTime(_since), LocalTime(_until));
        _cursors.Clear();
        _before = null;
        return LoadAsync();
    }

    private Task OlderAsync()
    {
        if (_page is not { More: true, Items.Count: > 0 })
        {
            return Task.CompletedTask;
        }

        _cursors.Push(_before);
        _before = _page.Items[^1].Id;
        return LoadAsync();
    }

    private Task NewerAsync()
    {
        if (_cursors.Count == 0)
        {
            return Task.CompletedTask;
        }

        _before = _cursors.Pop();
        return LoadAsync();
    }

    private async Task LoadAsync()
    {
        _loading = true;
        var result = await Api.QueryAuditAsync(_filter, _before, PageSize, _disposed.Token);
        _loading = false;
        _error = result.Error;
        _page = result.IsSuccess ? result.Value : null;
    }

    /// <summary>A <c>datetime-local</c> value, read as the server's local time (the page shows times the same way).</summary>
    private static DateTimeOffset? LocalTime(string? value) =>
        DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var local) ? new DateTimeOffset(local) : null;

    private static Color OutcomeColor(string outcome) => outcome switch
    {
        "succeeded" => Color.Success,
        "denied" => Color.Warning,
        _ => Color.Error,
    };

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
