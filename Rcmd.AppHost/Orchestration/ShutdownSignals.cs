using System.Runtime.InteropServices;

namespace Rcmd.AppHost.Orchestration;

/// <summary>
/// Ctrl+C (SIGINT), SIGTERM and SIGHUP: the first asks for an orderly shutdown (<see cref="Shutdown"/>), a second one
/// kills what is still running (<see cref="KillNow"/>).
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource _shutdown = new();
    private readonly CancellationTokenSource _killNow = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    public ShutdownSignals(ConsoleOutput output)
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                if (!_shutdown.IsCancellationRequested)
                {
                    output.Info($"{context.Signal} received — shutting down");
                    _shutdown.Cancel();
                }
                else if (!_killNow.IsCancellationRequested)
                {
                    output.Info($"{context.Signal} received again — killing what is still running");
                    _killNow.Cancel();
                }
            }));
        }
    }

    public CancellationToken Shutdown => _shutdown.Token;

    public CancellationToken KillNow => _killNow.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _shutdown.Dispose();
        _killNow.Dispose();
    }
}
