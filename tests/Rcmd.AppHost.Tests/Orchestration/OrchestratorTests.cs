using System.Collections.Concurrent;
using Rcmd.AppHost.Model;
using Rcmd.AppHost.Orchestration;
using Rcmd.AppHost.Tests.Support;
using Rcmd.Testing;

namespace Rcmd.AppHost.Tests.Orchestration;

/// <summary>Supervision with real (shell) processes; backoff timers fire at once, so nothing here waits seconds.</summary>
public sealed class OrchestratorTests : IDisposable
{
    private readonly TempDirectory _directory = new("orchestrator");
    private readonly StringWriter _written = new();
    private readonly StringWriter _errors = new();
    private readonly Tracker _tracker = new();

    [Fact]
    public async Task Run_ChildKeepsCrashing_GivesUpAfterFiveFastCrashes()
    {
        var orchestrator = Orchestrator(Shell("flaky", "echo crashing; exit 3"));
        using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var exitCode = await orchestrator.RunAsync(shutdown.Token, CancellationToken.None);

        Assert.Equal(1, exitCode);
        Assert.Equal(4, Count("flaky exited unexpectedly (exit code 3) — restarting it in"));
        Assert.Equal(5, Count("flaky    | crashing"));
        Assert.Contains("rcmd: flaky exited 5 times in a row within 30 s of starting (last exit code 3) — giving up", _errors.ToString(), StringComparison.Ordinal);
        Assert.False(shutdown.IsCancellationRequested);
    }

    [Fact]
    public async Task Run_ChildCrashesOnce_IsRestartedThenStoppedOnShutdown()
    {
        var orchestrator = Orchestrator(Shell("flaky", "if [ -f started ]; then touch ready; exec sleep 60; else touch started; exit 1; fi"));
        using var shutdown = new CancellationTokenSource();

        var run = orchestrator.RunAsync(shutdown.Token, CancellationToken.None);
        await Wait.UntilAsync(() => Task.FromResult(_written.ToString().Contains("all resources are running", StringComparison.Ordinal) || run.IsCompleted),
            TimeSpan.FromSeconds(30), "the restarted child to be ready", () => _written.ToString() + _errors);
        var pid = _tracker.Started.Last();
        await shutdown.CancelAsync();
        var exitCode = await run;

        Assert.Equal(0, exitCode);
        Assert.Equal(1, Count("flaky exited unexpectedly (exit code 1) — restarting it in 1 s"));
        Assert.Equal(2, _tracker.Started.Count);
        Assert.False(Processes.IsAlive(pid));
        Assert.Empty(_tracker.Running);
    }

    [Fact]
    public async Task Run_ChildIgnoresSigterm_KillNowKillsItAtOnce()
    {
        var orchestrator = Orchestrator(Shell("stubborn", "trap '' TERM; touch ready; while true; do sleep 0.2; done"));
        using var shutdown = new CancellationTokenSource();
        using var killNow = new CancellationTokenSource();

        var run = orchestrator.RunAsync(shutdown.Token, killNow.Token);
        await Wait.UntilAsync(() => Task.FromResult(_written.ToString().Contains("all resources are running", StringComparison.Ordinal) || run.IsCompleted),
            TimeSpan.FromSeconds(30), "the child to be ready", () => _written.ToString() + _errors);
        var pid = _tracker.Started.Single();
        await shutdown.CancelAsync();
        await killNow.CancelAsync();
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(0, exitCode);
        Assert.False(Processes.IsAlive(pid));
    }

    public void Dispose() => _directory.Dispose();

    private int Count(string text) => (_written.ToString() + _errors).Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    private Orchestrator Orchestrator(LaunchSpec spec) =>
        new(new LaunchPlan([[spec]], _directory.Path), new ConsoleOutput(_written, _errors, color: false), _tracker, new ImmediateTimeProvider());

    private LaunchSpec Shell(string name, string script)
    {
        var instance = new ResourceInstance(new ProjectResource(name, "Test"), name, 1, [new AllocatedEndpoint(new EndpointAnnotation("http", "http"), 1)]);
        return new LaunchSpec(instance, "test", "/bin/sh", ["-c", script], new Dictionary<string, string>(), _directory.Path,
            new FileProbe(_directory.Combine("ready")), TimeSpan.FromSeconds(30), []);
    }

    private sealed class FileProbe(string path) : IReadinessProbe
    {
        public string Description => $"exists {path}";

        public async Task<string?> CheckAsync(CancellationToken cancellationToken)
        {
            await Task.Delay(20, cancellationToken);
            return File.Exists(path) ? null : "missing";
        }
    }

    private sealed class Tracker : IProcessTracker
    {
        private readonly ConcurrentDictionary<string, int> _running = new();

        public ConcurrentQueue<int> Started { get; } = new();

        public IReadOnlyList<string> Running => _running.Keys.ToList();

        void IProcessTracker.Started(string name, int processId)
        {
            Started.Enqueue(processId);
            _running[name] = processId;
        }

        public void Exited(string name) => _running.TryRemove(name, out _);
    }
}
