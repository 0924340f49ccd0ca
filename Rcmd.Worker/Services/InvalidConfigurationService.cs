namespace Rcmd.Worker.Services;

/// <summary>
/// Stands in for the Worker when its configuration cannot be used (an invalid <c>RCLONE_RETRY_*</c> value): logs one
/// line naming the setting and stops the process with exit code 2. Nothing else is registered, so such a Worker never
/// claims a job.
/// </summary>
internal sealed class InvalidConfigurationService(string reason, IHostApplicationLifetime lifetime, ILogger<InvalidConfigurationService> logger)
    : IHostedService
{
    public const int ExitCode = 2;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Log.InvalidConfiguration(logger, reason);
        Environment.ExitCode = ExitCode;
        lifetime.StopApplication();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
