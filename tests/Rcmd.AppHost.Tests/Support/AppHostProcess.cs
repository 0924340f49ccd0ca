using System.Diagnostics;
using System.Text;

namespace Rcmd.AppHost.Tests.Support;

/// <summary>
/// The built Rcmd.AppHost run as a process (<c>dotnet Rcmd.AppHost.dll …</c>), as a user runs it: all of its
/// stdout and stderr kept, SIGTERM on request, killed with its children on dispose.
/// </summary>
internal sealed class AppHostProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private AppHostProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string StandardOutput
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public string Output => StandardOutput + "\n--- stderr ---\n" + StandardError;

    /// <summary>The Rcmd.AppHost.dll next to the tests (the project reference copies it with its runtimeconfig).</summary>
    public static string AppHostDll => Path.Combine(AppContext.BaseDirectory, "Rcmd.AppHost.dll");

    public static AppHostProcess Start(IEnumerable<string> arguments, IDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(AppHostDll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["NO_COLOR"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        var host = new AppHostProcess(new Process { StartInfo = info });
        host._process.OutputDataReceived += (_, e) => host.Keep(host._stdout, e.Data);
        host._process.ErrorDataReceived += (_, e) => host.Keep(host._stderr, e.Data);
        host._process.Start();
        host._process.StandardInput.Close();
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();
        return host;
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private void Keep(StringBuilder into, string? line)
    {
        if (line is not null)
        {
            lock (_gate)
            {
                into.AppendLine(line);
            }
        }
    }
}
