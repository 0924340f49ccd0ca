using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Rcmd.AppHost.Tests.Support;
using Rcmd.Testing;

namespace Rcmd.AppHost.Tests.Hosting;

/// <summary>
/// <see cref="CrashRestarter"/> in the real AppHost (Aspire's test host, DCP, a real Worker): a replica stopped with Aspire's
/// Stop command (the Aspire dashboard's Stop button) stays stopped; started again and then killed, it comes back by itself.
/// </summary>
public sealed class CrashRestarterTests : IDisposable
{
    private readonly TempDirectory _directory = new("crash-restarter");

    [Fact]
    public async Task StopCommand_WorkerStaysStopped_ThenAKillIsStillRestarted()
    {
        var data = _directory.Combine("data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "rclone.conf"), "");
        await using var rcmd = new RcmdSystem(data);
        await rcmd.StartAsync(FreePort.Next(), "--workers", "2", "--no-web");
        var commands = rcmd.Application.Services.GetRequiredService<ResourceCommandService>();
        var notifications = rcmd.Application.Services.GetRequiredService<ResourceNotificationService>();
        await Wait.UntilAsync(() => Task.FromResult(rcmd.ProcessIds.Keys.Any(IsWorker)), TimeSpan.FromSeconds(60), "the Worker to run", () => rcmd.Output);
        var worker = rcmd.ProcessIds.Keys.Where(IsWorker).Order().First(); // with two replicas rcmd.pids names each as Aspire does
        var states = new ConcurrentQueue<string>();
        using var watching = new CancellationTokenSource();
        _ = RecordStatesAsync(notifications, worker, states, watching.Token);
        string Seen() => string.Join(" → ", states);

        var stopped = rcmd.ProcessIds[worker];
        var stop = await commands.ExecuteCommandAsync(worker, KnownResourceCommands.StopCommand, CancellationToken.None);
        Assert.True(stop.Success, $"{stop.Message} (states: {Seen()})");
        await Wait.UntilAsync(() => Task.FromResult(!Processes.IsAlive(stopped)), TimeSpan.FromSeconds(30), "the stopped Worker to end", Seen);

        // A crash would be started again after 1 s: ten seconds later it is still down, and Aspire still shows it stopped.
        await Task.Delay(TimeSpan.FromSeconds(10));
        Assert.False(rcmd.ProcessIds.TryGetValue(worker, out var since) && since != stopped, $"{worker} was started again as {since}: {Seen()}");
        Assert.True(notifications.TryGetCurrentState(worker, out var current), worker);
        Assert.Contains(current.Snapshot.State?.Text, new[] { KnownResourceStates.Exited, KnownResourceStates.Finished });
        Assert.DoesNotContain(KnownResourceStates.Starting, states.SkipWhile(s => s != KnownResourceStates.Stopping));

        var start = await commands.ExecuteCommandAsync(worker, KnownResourceCommands.StartCommand, CancellationToken.None);
        Assert.True(start.Success, start.Message);
        await Wait.UntilAsync(() => Task.FromResult(rcmd.ProcessIds.TryGetValue(worker, out var now) && now != stopped && Processes.IsAlive(now)),
            TimeSpan.FromSeconds(60), "the Worker started again by hand", Seen);

        var killed = rcmd.ProcessIds[worker];
        using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", killed.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await Wait.UntilAsync(() => Task.FromResult(rcmd.ProcessIds.TryGetValue(worker, out var now) && now != killed && Processes.IsAlive(now)),
            TimeSpan.FromSeconds(60), "the killed Worker to come back by itself", () => Seen() + "\n" + rcmd.Output);
        await watching.CancelAsync();
    }

    public void Dispose() => _directory.Dispose();

    private static bool IsWorker(string name) => name.StartsWith("worker-", StringComparison.Ordinal);

    private static async Task RecordStatesAsync(ResourceNotificationService notifications, string resourceId, ConcurrentQueue<string> states, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var change in notifications.WatchAsync(cancellationToken))
            {
                if (change.ResourceId == resourceId && change.Snapshot.State?.Text is { } state && (states.IsEmpty || states.Last() != state))
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
