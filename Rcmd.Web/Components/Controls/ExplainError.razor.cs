using Microsoft.AspNetCore.Components;
using Rcmd.Failures;
using Rcmd.Web.Services;

namespace Rcmd.Web.Components.Controls;

/// <summary>
/// "Explain an error": sends a pasted message to the Api's failure classifier (<c>POST /api/errors/classify</c>) and shows
/// its code, kind and suggestion. Used on the job detail page (prefilled with the job's error) and the Failures page.
/// </summary>
public sealed partial class ExplainError : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private readonly string _inputId = "explain-" + Guid.NewGuid().ToString("N")[..8];
    private string? _message;
    private string? _initial;
    private bool _busy;
    private ClassifyErrorResponse? _result;
    private ApiError? _error;

    /// <summary>A message to start with (a job's error message); the user may edit it.</summary>
    [Parameter]
    public string? Message { get; set; }

    /// <summary>The remote the message concerns, when known.</summary>
    [Parameter]
    public string? Remote { get; set; }

    [Inject]
    private RcmdApiClient Api { get; set; } = default!;

    protected override void OnParametersSet()
    {
        if (Message != _initial)
        {
            _initial = Message;
            _message = Message;
            _result = null;
        }
    }

    private async Task ExplainAsync()
    {
        if (string.IsNullOrWhiteSpace(_message))
        {
            return;
        }

        _busy = true;
        _error = null;
        try
        {
            var result = await Api.ClassifyErrorAsync(new ClassifyErrorRequest { Message = _message.Trim(), Remote = Remote }, _disposed.Token);
            _result = result.IsSuccess ? result.Value : null;
            _error = result.IsSuccess ? null : result.Error;
        }
        finally
        {
            _busy = false;
        }
    }

    public void Dispose() => _disposed.Cancel();
}
