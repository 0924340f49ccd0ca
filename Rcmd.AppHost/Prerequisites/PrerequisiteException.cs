namespace Rcmd.AppHost.Prerequisites;

/// <summary>
/// Something the user must fix before Rcmd can start (a missing program, a missing build, a busy port). The AppHost
/// prints the message as one line, <c>rcmd: …</c>, and exits with code 2 — no stack trace.
/// </summary>
internal sealed class PrerequisiteException(string message) : Exception(message)
{
    public const int ExitCode = 2;
}
