using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.AppHost.Tests.Support;
using Rcmd.Testing;

namespace Rcmd.AppHost.Tests.Hosting;

/// <summary>
/// <see cref="CrashRestarter"/> in the real AppHost (Aspire's test host, DCP, real rclone rcd): rcd stopped with Aspire's Stop
/// command (the Aspire dashboard's Stop button) stays stopped; started again and then killed, it comes back by itself. (rcd
/// rather than a Worker: a Worker shuts down gracefully, and on a loaded machine Aspire's Stop gives up waiting for it and
/// shows Unknown, which tells nothing about the restarter.)
/// </summary>
public sealed class CrashRestarterTests : IDisposable
{
    private readonly TempDirectory _directory = new("crash-restarter");

    [Fact]
    public async Task StopCommand_RcdStaysStopped_ThenAKillIsStillRestarted()
    {
        var data = _directory.Combine("data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "rclone.conf"), "");
        await using var rcmd = new RcmdSystem(data);
        await rcmd.StartAsync(FreePort.Next(), "--workers", "1", "--no-web");
        var commands = rcmd.Application.Services.GetRequiredService<ResourceCommandService>();
        var notifications = rcmd.Application.Services.GetRequiredService<ResourceNotificationService>();
        const string rcd = "rclone";
        var states = new ConcurrentQueue<string>();
        using var watching = new CancellationTokenSource();
        _ = RecordStatesAsync(notifications, rcd, states, watching.Token);
        string Seen() => string.Join(" → ", states);

        var stopped = rcmd.ProcessIds[rcd];
        var stop = await commands.ExecuteCommandAsync(rcd, KnownResourceCommands.StopCommand, CancellationToken.None);
        Assert.True(stop.Success, $"{stop.Message} (states: {Seen()})");
        await Wait.UntilAsync(() => Task.FromResult(!Processes.IsAlive(stopped)), TimeSpan.FromSeconds(60), "the stopped rcd to end", Seen);

        // A crash would be started again after 1 s: ten seconds later it is still down, and Aspire still shows it stopped.
        await Task.Delay(TimeSpan.FromSeconds(10));
        Assert.False(rcmd.ProcessIds.TryGetValue(rcd, out var since) && since != stopped, $"{rcd} was started again as {since}: {Seen()}");
        Assert.Contains(states.LastOrDefault(), new[] { KnownResourceStates.Exited, KnownResourceStates.Finished });
        Assert.DoesNotContain(KnownResourceStates.Starting, states.SkipWhile(s => s != KnownResourceStates.Stopping));

        var start = await commands.ExecuteCommandAsync(rcd, KnownResourceCommands.StartCommand, CancellationToken.None);
        Assert.True(start.Success, start.Message);
        await Wait.UntilAsync(() => Task.FromResult(rcmd.ProcessIds.TryGetValue(rcd, out var now) && now != stopped && Processes.IsAlive(now)),
            TimeSpan.FromSeconds(60), "rcd started again by hand", Seen);

        var killed = rcmd.ProcessIds[rcd];
        using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", killed.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await Wait.UntilAsync(() => Task.FromResult(rcmd.ProcessIds.TryGetValue(rcd, out var now) && now != killed && Processes.IsAlive(now)),
            TimeSpan.FromSeconds(60), "the killed rcd to come back by itself", () => Seen() + "\n" + rcmd.Output);
        await watching.CancelAsync();
    }

    public void Dispose() => _directory.Dispose();


    /// <summary>The states Aspire reports for the resource (one instance), each change once.</summary>
    private static async Task RecordStatesAsync(ResourceNotificationService notifications, string resource, ConcurrentQueue<string> states, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var change in notifications.WatchAsync(cancellationToken))
            {
                if (change.Resource.Name == resource && change.Snapshot.State?.Text is { } state && (states.IsEmpty || states.Last() != state))
                {
                    states.Enqueue(state);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
