using Rcmd.AppHost.Model;

namespace Rcmd.AppHost.Orchestration;

/// <summary>
/// Runs a <see cref="LaunchPlan"/>: starts wave after wave (each instance ready before the next wave starts), prints
/// the URL table, then waits for a shutdown signal or for a supervisor to give up; finally stops everything in reverse
/// order — projects first, then rclone and Redis (SIGTERM, so Redis flushes its AOF).
/// </summary>
internal sealed class Orchestrator(LaunchPlan plan, ConsoleOutput output, IProcessTracker tracker, TimeProvider time)
{
    /// <summary>0 after a requested shutdown; 1 when something could not start or kept crashing.</summary>
    public async Task<int> RunAsync(CancellationToken shutdown, CancellationToken killNow)
    {
        var waves = plan.Waves.Select(w => w.Select(s => new ProcessSupervisor(s, output, tracker, time)).ToList()).ToList();
        var supervisors = waves.SelectMany(w => w).ToList();
        output.UseNames(supervisors.Select(s => s.Name));
        foreach (var secret in plan.All.SelectMany(s => s.Secrets))
        {
            output.AddSecret(secret);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        string? failure = null;
        foreach (var supervisor in supervisors)
        {
            _ = supervisor.GaveUp.ContinueWith(t =>
            {
                Interlocked.CompareExchange(ref failure, t.Result, null);
                try
                {
                    stop.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // Already stopping.
                }
            }, CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }

        var started = new List<ProcessSupervisor>();
        try
        {
            foreach (var wave in waves)
            {
                output.Info($"starting {string.Join(", ", wave.Select(s => s.Name))}");
                foreach (var supervisor in wave)
                {
                    started.Add(supervisor);
                    supervisor.Start();
                }

                await Task.WhenAll(wave.Select(s => s.WaitUntilReadyAsync(stop.Token)));
            }

            var rows = Rows(supervisors);
            output.Lines(ResourceTable.Render(rows, output.Highlight));
            EndpointsFile.Write(plan.DataDirectory, rows, Addresses(supervisors));
            output.Info($"data in {plan.DataDirectory}");
            output.Info("all resources are running — press Ctrl+C to stop");
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (TimeoutException e)
        {
            failure ??= e.Message;
        }

        if (failure is not null)
        {
            output.Error(failure);
        }

        output.Info(failure is null ? "stopping (Ctrl+C again to kill at once)" : "stopping everything");
        EndpointsFile.Delete(plan.DataDirectory);
        await StopAsync(waves, started, killNow);
        output.Info("stopped");
        return failure is null ? 0 : 1;
    }

    /// <summary>Wave by wave in reverse: what depends on others stops before what it depends on.</summary>
    private async Task StopAsync(List<List<ProcessSupervisor>> waves, List<ProcessSupervisor> started, CancellationToken killNow)
    {
        for (var i = waves.Count - 1; i >= 0; i--)
        {
            var wave = waves[i].Where(started.Contains).ToList();
            if (wave.Count == 0)
            {
                continue;
            }

            var began = time.GetTimestamp();
            await Task.WhenAll(wave.Select(s => s.StopAsync(OrchestrationConstants.StopGracePeriod, killNow)));
            output.Info($"stopped {string.Join(", ", wave.Select(s => s.Name))} in {time.GetElapsedTime(began).TotalSeconds:0.0} s");
        }
    }

    /// <summary>What a client needs to reach each instance: Redis's connection string, everything else's URL.</summary>
    private static Dictionary<string, string> Addresses(IEnumerable<ProcessSupervisor> supervisors) =>
        supervisors.ToDictionary(s => s.Name, s => s.Spec.Instance.Resource switch
        {
            IResourceWithConnectionString redis => redis.GetConnectionString(s.Spec.Instance),
            IResourceWithServiceDiscovery discoverable => discoverable.GetServiceUrl(s.Spec.Instance.PrimaryEndpoint),
            _ => s.Spec.Instance.PrimaryEndpoint.Url,
        });

    private static List<ResourceRow> Rows(IEnumerable<ProcessSupervisor> supervisors) =>
        supervisors.Select(s =>
        {
            var instance = s.Spec.Instance;
            var endpoint = instance.PrimaryEndpoint;
            var (url, note) = instance.Resource switch
            {
                RedisResource => (endpoint.Url, $"AOF in {s.Spec.WorkingDirectory}"),
                RcloneRcdResource rclone => (rclone.GetServiceUrl(endpoint), $"user {rclone.User}, generated password (not shown)"),
                _ when endpoint.Annotation.IsExternal => (endpoint.Url, "<- open this in a browser"),
                _ => (endpoint.Url, ""),
            };
            return new ResourceRow(s.Name, s.Spec.Kind, s.ProcessId, url, note, endpoint.Annotation.IsExternal);
        }).ToList();
}
