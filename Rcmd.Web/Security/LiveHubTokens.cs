namespace Rcmd.Web.Security;

/// <summary>
/// The Api session tokens of the users who have a page open, for the Web's ONE live-hub connection in server mode. The
/// hub pushes the same viewer-level events to everyone (job and remote state; no secrets), and every signed-in user is at
/// least a viewer, so the process's connection signs in with the session of a user who is watching — the newest one — and
/// is not made at all while nobody is (<see cref="Services.LiveHubClient"/> waits for <see cref="Available"/>). One
/// connection per process, not per page, keeps the dashboard's memory as measured (README: the dashboard's memory);
/// every Api call a page makes carries its own user's token, so the Api enforces each user's role on what they do.
/// </summary>
public sealed class LiveHubTokens
{
    private readonly Lock _lock = new();
    private readonly List<string> _tokens = [];
    private TaskCompletionSource _available = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LiveHubTokens(DashboardAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Required = options.ServerMode;
        if (!Required)
        {
            _available.TrySetResult();
        }
    }

    /// <summary>Server mode: the hub needs a user's session.</summary>
    public bool Required { get; }

    /// <summary>The token to connect with: the newest open page's; null when none is open (or in local mode).</summary>
    public string? Current
    {
        get
        {
            lock (_lock)
            {
                return _tokens.Count > 0 ? _tokens[^1] : null;
            }
        }
    }

    /// <summary>Completes when a token is there (at once in local mode).</summary>
    public Task Available
    {
        get
        {
            lock (_lock)
            {
                return _available.Task;
            }
        }
    }

    public void Add(string token)
    {
        lock (_lock)
        {
            _tokens.Add(token);
            _available.TrySetResult();
        }
    }

    /// <summary>A page closed, or the Api refused the token (signed out): the connection uses another page's next time.</summary>
    public void Remove(string token)
    {
        lock (_lock)
        {
            _tokens.RemoveAll(t => t == token);
            if (Required && _tokens.Count == 0 && _available.Task.IsCompleted)
            {
                _available = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }
}
