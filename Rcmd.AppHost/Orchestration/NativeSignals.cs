using System.Runtime.InteropServices;

namespace Rcmd.AppHost.Orchestration;

/// <summary>Sends POSIX signals (.NET's Process can only SIGKILL): SIGTERM lets services and Redis shut down cleanly.</summary>
internal static class NativeSignals
{
    public const int SigTerm = 15;

    /// <summary>True when the signal was delivered; false when the process is already gone.</summary>
    public static bool Send(int processId, int signal) => !OperatingSystem.IsWindows() && Kill(processId, signal) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
