using System.Globalization;
using Rcmd.AppHost.Prerequisites;

namespace Rcmd.AppHost.Orchestration;

/// <summary>Told when a child process starts and exits.</summary>
internal interface IProcessTracker
{
    void Started(string name, int processId);

    void Exited(string name);
}

/// <summary>
/// One AppHost per data directory: holds <c>rcmd.lock</c> (a second AppHost on the same directory would run a second
/// Redis on the same AOF) and keeps <c>rcmd.pids</c>, the children now running. When an AppHost was killed without
/// a chance to stop its children (SIGKILL), the next one finds them there and stops them before starting.
/// </summary>
internal sealed class DataDirectoryLease : IProcessTracker, IDisposable
{
    private readonly FileStream _lock;
    private readonly string _pidFile;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (int Pid, string StartTime)> _running = new(StringComparer.Ordinal);

    private DataDirectoryLease(string directory, FileStream lockFile)
    {
        Directory = directory;
        _lock = lockFile;
        _pidFile = Path.Combine(directory, "rcmd.pids");
    }

    public string Directory { get; }

    public static DataDirectoryLease Acquire(string directory)
    {
        try
        {
            System.IO.Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PrerequisiteException($"cannot create the data directory {directory}: {e.Message} (choose another with --data-dir)");
        }

        try
        {
            var lockFile = new FileStream(Path.Combine(directory, "rcmd.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new DataDirectoryLease(directory, lockFile);
        }
        catch (IOException)
        {
            throw new PrerequisiteException($"another rcmd is already running with the data directory {directory} — stop it first, or use --data-dir");
        }
    }

    /// <summary>Stops the children an earlier AppHost on this directory left running (same pid and start time as recorded).</summary>
    public async Task StopLeftoversAsync(ConsoleOutput output, CancellationToken cancellationToken)
    {
        if (!File.Exists(_pidFile))
        {
            return;
        }

        var leftovers = new List<(string Name, int Pid)>();
        foreach (var line in await File.ReadAllLinesAsync(_pidFile, cancellationToken))
        {
            var parts = line.Split(' ', 3);
            if (parts.Length == 3 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pid) && StartTimeOf(pid) == parts[1])
            {
                leftovers.Add((parts[2], pid));
            }
        }

        foreach (var (name, pid) in leftovers)
        {
            output.Info($"stopping {name} (pid {pid}), left running by an earlier rcmd that did not shut down");
            NativeSignals.Send(pid, NativeSignals.SigTerm);
        }

        var deadline = DateTime.UtcNow + OrchestrationConstants.StopGracePeriod;
        while (leftovers.Any(l => IsAlive(l.Pid)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, cancellationToken);
        }

        foreach (var (_, pid) in leftovers.Where(l => IsAlive(l.Pid)))
        {
            NativeSignals.Send(pid, 9);
        }

        File.Delete(_pidFile);
    }

    public void Started(string name, int processId)
    {
        lock (_gate)
        {
            _running[name] = (processId, StartTimeOf(processId) ?? "?");
            Save();
        }
    }

    public void Exited(string name)
    {
        lock (_gate)
        {
            _running.Remove(name);
            Save();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _running.Clear();
            Save();
        }

        _lock.Dispose();
    }

    /// <summary>Field 22 of <c>/proc/&lt;pid&gt;/stat</c>: with the pid, it names one process for the machine's uptime.</summary>
    internal static string? StartTimeOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 ? fields[19] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private void Save()
    {
        try
        {
            if (_running.Count == 0)
            {
                File.Delete(_pidFile);
                return;
            }

            File.WriteAllLines(_pidFile, _running.Select(r => $"{r.Value.Pid} {r.Value.StartTime} {r.Key}"));
        }
        catch (IOException)
        {
            // Best effort: the file only helps clean up after a crash.
        }
    }
}
