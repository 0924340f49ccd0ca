using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Rcmd.Api.Services;
using Rcmd.Rclone;
using StackExchange.Redis;

namespace Rcmd.Api.Rc;

/// <summary>
/// Resumes async <c>job/batch</c> calls whose Api stopped or died (<see cref="RcBatches"/>): at start, then every
/// <see cref="RcOptions.BatchResumeInterval"/>, takes over each batch whose lease ran out and runs the rest of it here.
/// </summary>
internal sealed partial class RcBatchResumer(RcBatches batches, IServiceProvider services, IOptions<RcOptions> options, TimeProvider time,
    ILogger<RcBatchResumer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var authorization = services.GetRequiredService<IAuthorizationService>();
        var rc = new RcServices(services.GetRequiredService<RcJobs>(), services.GetRequiredService<RcStats>(), batches,
            services.GetRequiredService<RemoteReads>(), services.GetRequiredService<RcloneClient>());
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await batches.ResumeOneAsync(caller => RcCaller.FromJson(caller, authorization), rc, stoppingToken).ConfigureAwait(false))
                {
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogLookFailed(logger, ex.GetType().Name);
            }

            try
            {
                await Task.Delay(options.Value.BatchResumeInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await batches.WhenStoppedAsync().WaitAsync(cancellationToken).ConfigureAwait(false); // each hands itself over first
    }

    [LoggerMessage(EventId = 2610, Level = LogLevel.Warning, Message = "RC batches: could not look for batches to resume ({ExceptionType}); trying again")]
    private static partial void LogLookFailed(ILogger logger, string exceptionType);
}
