using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Rcmd.Web.Security;

/// <summary>
/// When a page's circuit opens: takes its user from the sign-in cookie (<see cref="DashboardUser"/>) and offers their
/// session to the live hub (<see cref="LiveHubTokens"/>); when it closes, withdraws it. Follows changes of the user
/// (revalidation ended the session).
/// </summary>
internal sealed class UserCircuitHandler(AuthenticationStateProvider authentication, DashboardUser user, LiveHubTokens hubTokens)
    : CircuitHandler, IDisposable
{
    private string? _offered;

    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        if (!user.ServerMode)
        {
            return;
        }

        Apply(await authentication.GetAuthenticationStateAsync());
        authentication.AuthenticationStateChanged += OnChanged;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Withdraw();
        return Task.CompletedTask;
    }

    private void OnChanged(Task<AuthenticationState> state) => _ = ApplyAsync(state);

    private async Task ApplyAsync(Task<AuthenticationState> state) => Apply(await state);

    private void Apply(AuthenticationState state)
    {
        user.Use(state.User);
        if (user.Token != _offered)
        {
            Withdraw();
            if (user.Token is { } token)
            {
                hubTokens.Add(token);
                _offered = token;
            }
        }
    }

    private void Withdraw()
    {
        if (_offered is { } token)
        {
            hubTokens.Remove(token);
            _offered = null;
        }
    }

    public void Dispose()
    {
        authentication.AuthenticationStateChanged -= OnChanged;
        Withdraw();
    }
}
