using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;
using Rcmd.Events;
using Rcmd.Jobs;
using Rcmd.Security;
using Rcmd.Web.Security;
using Rcmd.Web.Services;

namespace Rcmd.Web.Tests.Infrastructure;

/// <summary>
/// The shared bunit context: MudBlazor's services, loose JS interop (MudBlazor calls its JS freely), the real
/// <see cref="RcmdApiClient"/> over a <see cref="StubApi"/>, and a real <see cref="LiveEvents"/> tests push events into.
/// Disposed asynchronously (MudBlazor registers a service that is only IAsyncDisposable).
/// </summary>
public abstract class RcmdTestContext : BunitContext, IAsyncLifetime
{
    protected RcmdTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(Options.Create(new LiveEventsOptions()));
        Services.AddSingleton<LiveEvents>();
        // Local mode (the local admin) unless a test signs in as someone else (SignInAs).
        Services.AddSingleton(AuthOptions);
        Services.AddScoped<DashboardUser>();
        Services.AddSingleton(new RcmdApiClient(new HttpClient(Api) { BaseAddress = StubApi.BaseAddress }, NullLogger<RcmdApiClient>.Instance));
        // Pages render in a circuit unless a test renders them as the prerender does (Prerendering()).
        PageState = AddBunitPersistentComponentState();
    }

    private static readonly RendererInfo Interactive = new("Server", isInteractive: true);
    private bool _rendererInfoSet;

    /// <summary>What a prerender keeps for the interactive render (and what a test puts there).</summary>
    protected Bunit.TestDoubles.BunitPersistentComponentState PageState { get; }

    /// <summary>From now on, pages render as the request's prerender does (not interactive); <see cref="Circuit"/> goes back.</summary>
    protected void Prerendering() => UseRendererInfo(new RendererInfo("Static", isInteractive: false));

    /// <summary>From now on, pages render in a circuit (the default).</summary>
    protected void Circuit() => UseRendererInfo(Interactive);

    /// <inheritdoc />
    /// <remarks>Pages render in a circuit unless the test chose otherwise.</remarks>
    public override IRenderedComponent<TComponent> Render<TComponent>(Action<ComponentParameterCollectionBuilder<TComponent>>? parameterBuilder = null)
    {
        EnsureRendererInfo();
        return base.Render(parameterBuilder);
    }

    /// <inheritdoc />
    public override IRenderedComponent<TComponent> Render<TComponent>(RenderFragment renderFragment)
    {
        EnsureRendererInfo();
        return base.Render<TComponent>(renderFragment);
    }

    /// <summary>
    /// The renderer info, set before the first render and not in the constructor: setting it builds the service provider,
    /// and derived contexts and tests still register services after the constructor.
    /// </summary>
    private void EnsureRendererInfo()
    {
        if (!_rendererInfoSet)
        {
            UseRendererInfo(Interactive);
        }
    }

    private void UseRendererInfo(RendererInfo info)
    {
        SetRendererInfo(info);
        _rendererInfoSet = true;
    }

    protected StubApi Api { get; } = new();

    protected DashboardAuthOptions AuthOptions { get; } = new();

    /// <summary>Server mode, signed in as <paramref name="name"/> with <paramref name="role"/> (call before rendering).</summary>
    protected void SignInAs(string name, Role role)
    {
        AuthOptions.Mode = "server";
        Services.GetRequiredService<DashboardUser>().Use(name, role);
    }

    protected LiveEvents Live => Services.GetRequiredService<LiveEvents>();

    protected NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    /// <summary>What the Api's hub would deliver: one job-update.</summary>
    protected Task PushAsync(Job job) => Live.PublishAsync(RcmdEvent.ForJob(job));

    /// <summary>The dialog provider (rendered by <see cref="RenderDialogs"/> before the page that opens dialogs).</summary>
    protected IRenderedComponent<MudDialogProvider> Dialogs => _dialogs ?? throw new InvalidOperationException("Call RenderDialogs() first.");

    private IRenderedComponent<MudDialogProvider>? _dialogs;

    /// <summary>Renders MudBlazor's dialog and popover providers, where dialogs and drop-down lists appear.</summary>
    protected IRenderedComponent<MudDialogProvider> RenderDialogs()
    {
        if (_dialogs is null)
        {
            Render<MudPopoverProvider>();
            _dialogs = Render<MudDialogProvider>();
        }

        return _dialogs;
    }

    /// <summary>Waits for the element <paramref name="testId"/> in an open dialog and clicks it.</summary>
    protected void ClickInDialog(string testId) =>
        Dialogs.WaitForElement($"[data-testid={testId}]").Click();

    /// <summary>The messages shown for a field in the open dialog, read from inside the same field block as its input.</summary>
    protected string UnderField(string inputSelector, string field) =>
        Dialogs.Find(inputSelector).Closest(".field")!.QuerySelector($"[data-testid='error-{field}']")?.TextContent
            ?? throw new Xunit.Sdk.XunitException($"No error of {field} under {inputSelector}.");

    /// <summary>Picks <paramref name="value"/> in the open dialog's MudSelect marked <paramref name="testId"/>.</summary>
    protected Task SelectInDialogAsync(string testId, string value)
    {
        var select = Dialogs.FindComponents<MudSelect<string>>()
            .Single(s => s.Instance.UserAttributes.TryGetValue("data-testid", out var id) && (string?)id == testId);
        return select.InvokeAsync(() => select.Instance.SelectOption(value));
    }

    /// <summary>The text of the open dialog <paramref name="testId"/>.</summary>
    protected string DialogText(string testId) => Dialogs.WaitForElement($"[data-testid={testId}]").TextContent;

    /// <summary>Picks <paramref name="value"/> in the MudSelect marked <paramref name="testId"/> (as a click on its item would).</summary>
    protected static Task SelectAsync(IRenderedComponent<Rcmd.Web.Components.Pages.NewJob> cut, string testId, string value)
    {
        var select = cut.FindComponents<MudSelect<string>>()
            .Single(s => s.Instance.UserAttributes.TryGetValue("data-testid", out var id) && (string?)id == testId);
        return select.InvokeAsync(() => select.Instance.SelectOption(value));
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();
}
