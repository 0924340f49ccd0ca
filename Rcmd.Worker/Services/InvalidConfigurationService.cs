namespace Rcmd.Worker.Services;

/// <summary>
/// Stands in for the Worker when its configuration cannot be used (an invalid <c>RCLONE_RETRY_*</c> value): logs one
/// line naming the setting and stops the process with exit code 2. Nothing else is registered, so such a Worker never
/// claims a job. It stops once the host has started (stopping during start-up would abort the host mid-way, with a
/// stack trace instead of the one line).
/// </summary>
internal sealed class InvalidConfigurationService(string reason, IHostApplicationLifetime lifetime, ILogger<InvalidConfigurationService> logger)
    : IHostedLifecycleService
{
    public const int ExitCode = 2;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        Log.InvalidConfiguration(logger, reason);
        Environment.ExitCode = ExitCode;
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        lifetime.StopApplication();
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
