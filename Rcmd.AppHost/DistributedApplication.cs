using Rcmd.AppHost.Model;
using Rcmd.AppHost.Orchestration;
using Rcmd.AppHost.Prerequisites;

namespace Rcmd.AppHost;

/// <summary>
/// The built app (Aspire's <c>DistributedApplication</c>): <see cref="Run"/> checks prerequisites, takes the data
/// directory, gives every endpoint a loopback port, then starts, watches and finally stops the processes.
/// </summary>
internal sealed class DistributedApplication(DistributedApplicationModel model, AppHostOptions options)
{
    public DistributedApplicationModel Model { get; } = model;

    public static DistributedApplicationBuilder CreateBuilder(string[] args) =>
        new(AppHostOptions.Parse(args, Environment.GetEnvironmentVariable));

    /// <summary>Runs until Ctrl+C or SIGTERM; sets the process exit code (0 stopped on request, 1 failed, 2 cannot start).</summary>
    public void Run() => Environment.ExitCode = RunAsync(ConsoleOutput.ForConsole()).GetAwaiter().GetResult();

    public async Task<int> RunAsync(ConsoleOutput output)
    {
        if (options.Error is not null)
        {
            output.Error(options.Error);
            return PrerequisiteException.ExitCode;
        }

        if (options.ShowHelp)
        {
            output.Lines([AppHostOptions.Usage]);
            return 0;
        }

        using var signals = new ShutdownSignals(output);
        using var http = HttpProbe.CreateClient();
        DataDirectoryLease? lease = null;
        try
        {
            var catalog = ProjectCatalog.FromAssembly(typeof(DistributedApplication).Assembly);
            var tools = new PrerequisiteChecker(Environment.GetEnvironmentVariable, catalog).Check(Model);
            var dataDirectory = Path.GetFullPath(options.DataDirectory
                ?? Path.Combine(catalog.RepositoryRoot ?? Environment.CurrentDirectory, ".data"));
            lease = DataDirectoryLease.Acquire(dataDirectory);
            await lease.StopLeftoversAsync(output, signals.Shutdown);
            var instances = EndpointAllocator.Allocate(Model, new PortAllocator());
            var plan = new LaunchPlanner(tools, dataDirectory, Environment.GetEnvironmentVariable, http).Plan(Model, instances);
            return await new Orchestrator(plan, output, lease, TimeProvider.System).RunAsync(signals.Shutdown, signals.KillNow);
        }
        catch (PrerequisiteException e)
        {
            output.Error(e.Message);
            return PrerequisiteException.ExitCode;
        }
        catch (OperationCanceledException) when (signals.Shutdown.IsCancellationRequested)
        {
            return 0;
        }
        finally
        {
            lease?.Dispose();
        }
    }
}
