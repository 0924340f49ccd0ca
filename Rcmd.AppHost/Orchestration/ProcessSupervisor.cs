using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Rcmd.AppHost.Prerequisites;

namespace Rcmd.AppHost.Orchestration;

/// <summary>
/// Runs one instance: starts its process (in its own session, so a terminal's Ctrl+C reaches only the AppHost, which
/// then stops the children in order), prefixes its output, restarts it with backoff when it exits on its own
/// (<see cref="RestartPolicy"/>), and stops it with SIGTERM, then SIGKILL after the grace period.
/// </summary>
internal sealed class ProcessSupervisor(LaunchSpec spec, ConsoleOutput output, IProcessTracker tracker, TimeProvider time)
{
    /// <summary><c>setsid</c>, when the machine has it: the child gets its own session and process group.</summary>
    private static readonly string? Setsid = OperatingSystem.IsLinux() ? ExecutableLocator.Find("setsid", null, "/usr/bin:/bin") : null;

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly RestartPolicy _policy = new(time);
    private readonly TaskCompletionSource<string> _gaveUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _current;
    private Task _loop = Task.CompletedTask;
    private bool _stopRequested;
    private bool _ready;

    public LaunchSpec Spec => spec;

    public string Name => spec.Name;

    public int? ProcessId
    {
        get
        {
            lock (_gate)
            {
                return _current?.Id;
            }
        }
    }

    /// <summary>Completes, with the reason, when the supervisor gave up on the process.</summary>
    public Task<string> GaveUp => _gaveUp.Task;

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Probes until ready; throws <see cref="TimeoutException"/> with what the probe last saw.</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + spec.ReadyTimeout;
        string? reason = "not started";
        while (time.GetUtcNow() < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ProcessId is not null)
            {
                using var probeTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                probeTimeout.CancelAfter(OrchestrationConstants.ProbeTimeout);
                try
                {
                    reason = await spec.Readiness.CheckAsync(probeTimeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    reason = $"no answer within {OrchestrationConstants.ProbeTimeout.TotalSeconds:0} s";
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (reason is null)
                {
                    _ready = true;
                    output.Info($"{Name} is ready");
                    return;
                }
            }

            await Task.Delay(OrchestrationConstants.ProbeInterval, time, cancellationToken);
        }

        throw new TimeoutException($"{Name} was not ready within {spec.ReadyTimeout.TotalSeconds:0} s ({spec.Readiness.Description}: {reason}) — see its lines above");
    }

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/> or as soon as <paramref name="killNow"/> fires.</summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken killNow)
    {
        Process? process;
        lock (_gate)
        {
            _stopRequested = true;
            process = _current;
        }

        await _stopping.CancelAsync();
        if (process is not null && !process.HasExited)
        {
            NativeSignals.Send(process.Id, NativeSignals.SigTerm);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(killNow);
            wait.CancelAfter(grace);
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                if (!killNow.IsCancellationRequested)
                {
                    output.Info($"{Name} did not stop within {grace.TotalSeconds:0} s of SIGTERM — killing it");
                }

                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }

        await _loop;
        if (process is not null)
        {
            tracker.Exited(Name);
            process.Dispose();
        }
    }

    private async Task RunAsync()
    {
        while (true)
        {
            Process process;
            DateTimeOffset startedAt;
            lock (_gate)
            {
                if (_stopRequested)
                {
                    return;
                }

                try
                {
                    process = Launch();
                }
                catch (Win32Exception e)
                {
                    _gaveUp.TrySetResult($"cannot start {Name} ({spec.FileName}): {e.Message}");
                    return;
                }

                _current = process;
                startedAt = time.GetUtcNow();
            }

            tracker.Started(Name, process.Id);
            await process.WaitForExitAsync(CancellationToken.None);
            lock (_gate)
            {
                if (_stopRequested)
                {
                    return;
                }

                _current = null;
            }

            var exitCode = process.ExitCode;
            process.Dispose();
            tracker.Exited(Name);
            var decision = _policy.OnExit(startedAt);
            if (decision.GiveUp)
            {
                var message = $"{Name} exited {decision.FastCrashes} times in a row within {OrchestrationConstants.FastCrashWindow.TotalSeconds:0} s of starting "
                    + $"(last exit code {exitCode}) — giving up; see its lines above";
                _gaveUp.TrySetResult(message);
                return;
            }

            output.Info($"{Name} exited unexpectedly (exit code {exitCode}) — restarting it in {decision.Delay.TotalSeconds:0} s");
            try
            {
                await Task.Delay(decision.Delay, time, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (_ready)
            {
                _ = Task.Run(ReportReadyAgainAsync);
            }
        }
    }

    private Process Launch()
    {
        var info = new ProcessStartInfo(Setsid ?? spec.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
            WorkingDirectory = spec.WorkingDirectory,
        };
        if (Setsid is not null)
        {
            info.ArgumentList.Add(spec.FileName);
        }

        foreach (var argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in spec.Environment)
        {
            info.Environment[name] = value;
        }

        Directory.CreateDirectory(spec.WorkingDirectory);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Forward(e.Data);
        process.ErrorDataReceived += (_, e) => Forward(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Forward(string? line)
    {
        if (line is not null)
        {
            output.ChildLine(Name, line);
        }
    }

    private async Task ReportReadyAgainAsync()
    {
        var deadline = time.GetUtcNow() + spec.ReadyTimeout;
        while (time.GetUtcNow() < deadline && !_stopping.IsCancellationRequested)
        {
            using var probeTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            probeTimeout.CancelAfter(OrchestrationConstants.ProbeTimeout);
            try
            {
                try
                {
                    if (await spec.Readiness.CheckAsync(probeTimeout.Token) is null)
                    {
                        output.Info($"{Name} is ready again");
                        return;
                    }
                }
                catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
                {
                    // That probe timed out; try again.
                }

                await Task.Delay(OrchestrationConstants.ProbeInterval, time, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
