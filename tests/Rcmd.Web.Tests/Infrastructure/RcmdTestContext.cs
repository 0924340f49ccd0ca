using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Radzen;
using Rcmd.Events;
using Rcmd.Jobs;
using Rcmd.Web.Services;

namespace Rcmd.Web.Tests.Infrastructure;

/// <summary>
/// The shared bunit context: Radzen's services, loose JS interop (Radzen calls its JS freely), the real
/// <see cref="RcmdApiClient"/> over a <see cref="StubApi"/>, and a real <see cref="LiveEvents"/> tests push events into.
/// </summary>
public abstract class RcmdTestContext : BunitContext
{
    protected RcmdTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddRadzenComponents();
        Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(Options.Create(new LiveEventsOptions()));
        Services.AddSingleton<LiveEvents>();
        Services.AddSingleton(new RcmdApiClient(new HttpClient(Api) { BaseAddress = StubApi.BaseAddress }, NullLogger<RcmdApiClient>.Instance));
    }

    protected StubApi Api { get; } = new();

    protected LiveEvents Live => Services.GetRequiredService<LiveEvents>();

    protected NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    /// <summary>What the Api's SSE stream would deliver: one job-update.</summary>
    protected Task PushAsync(Job job) => Live.PublishAsync(RcmdEvent.ForJob(job));
}
