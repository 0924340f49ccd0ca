using System.Diagnostics;
using Rcmd.AppHost.Orchestration;
using Rcmd.AppHost.Prerequisites;
using Rcmd.AppHost.Tests.Support;
using Rcmd.Testing;

namespace Rcmd.AppHost.Tests.Orchestration;

public sealed class DataDirectoryLeaseTests : IDisposable
{
    private readonly TempDirectory _directory = new("lease");
    private readonly List<Process> _processes = [];

    [Fact]
    public void Acquire_DirectoryAlreadyHeld_SaysAnotherRcmdRuns()
    {
        using var first = DataDirectoryLease.Acquire(_directory.Path);

        var error = Assert.Throws<PrerequisiteException>(() => DataDirectoryLease.Acquire(_directory.Path));

        Assert.Equal($"another rcmd is already running with the data directory {_directory.Path} — stop it first, or use --data-dir", error.Message);
    }

    [Fact]
    public void Tracker_StartedAndExited_KeepsThePidFile()
    {
        using var lease = DataDirectoryLease.Acquire(_directory.Path);
        var pidFile = _directory.Combine("rcmd.pids");

        lease.Started("redis", Environment.ProcessId);
        Assert.Equal($"{Environment.ProcessId} {DataDirectoryLease.StartTimeOf(Environment.ProcessId)} redis", File.ReadAllText(pidFile).Trim());

        lease.Exited("redis");
        Assert.False(File.Exists(pidFile));
    }

    [Fact]
    public async Task StopLeftovers_RecordedProcessStillRunning_IsStopped_ButAReusedPidIsLeftAlone()
    {
        var leftover = Sleep();
        var stranger = Sleep();
        await File.WriteAllLinesAsync(_directory.Combine("rcmd.pids"),
        [
            $"{leftover.Id} {DataDirectoryLease.StartTimeOf(leftover.Id)} redis",
            $"{stranger.Id} 1 rclone",
        ]);
        var written = new StringWriter();
        using var lease = DataDirectoryLease.Acquire(_directory.Path);

        await lease.StopLeftoversAsync(new ConsoleOutput(written, written, color: false), CancellationToken.None);

        Assert.True(leftover.WaitForExit(5_000));
        Assert.True(Processes.IsAlive(stranger.Id));
        Assert.Contains($"rcmd: stopping redis (pid {leftover.Id}), left running by an earlier rcmd", written.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("rclone", written.ToString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            process.Dispose();
        }

        _directory.Dispose();
    }

    private Process Sleep()
    {
        var process = Process.Start(new ProcessStartInfo("sleep", ["60"]) { UseShellExecute = false })!;
        _processes.Add(process);
        return process;
    }
}
