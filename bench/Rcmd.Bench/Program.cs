using Rcmd.Bench;

// Figures for the issues' closing notes, each next to raw rclone where there is a raw equivalent.
// Usage: dotnet run -c Release --project bench/Rcmd.Bench -- [throughput|latency|memory|dashboards|grid|browse|breaker|batch|all] [--jobs N] [--concurrency N]
//        batch [--jobs N (default 2000)] [--items N (default 100000)]
//        schedules [--schedules N (default 10000)] [--minutes N (default 2)]
//        retention [--stored N (bytes per job, sweep rate)] [--items N (bytes per batch item)] [--jobs N (the soak's jobs)]
//        auth [--concurrency N] [--requests N (default 10000)]: auth overhead (local vs server mode, same run) and the fuzz
//        startup [--old <old Rcmd.AppHost.dll>] [--pairs N (default 3)]
//        rc: /rc/ copyfile vs rcd directly, job/status req/s, core/stats latency (issue 14)
//        soak [--jobs N (default 1,000,000)] [--minutes M (a time limit; none by default)]: issue 17's soak through the whole system
//        latency [--changes N] [--running N]   dashboards [--dashboards N] [--minutes N]   grid [--stored N]
var options = BenchOptions.Parse(args);
var benches = new Dictionary<string, Func<BenchOptions, Task>>(StringComparer.OrdinalIgnoreCase)
{
    ["throughput"] = ThroughputBench.RunAsync,
    ["latency"] = LatencyBench.RunAsync,
    ["memory"] = MemoryBench.RunAsync,
    ["dashboards"] = DashboardMemoryBench.RunAsync,
    ["grid"] = GridBench.RunAsync,
    ["browse"] = BrowseBench.RunAsync,
    ["notifications"] = NotificationsBench.RunAsync,
    ["breaker"] = BreakerBench.RunAsync,
    ["batch"] = BatchBench.RunAsync,
    ["schedules"] = ScheduleBench.RunAsync,
    ["retention"] = RetentionBench.RunAsync,
    ["auth"] = AuthBench.RunAsync,
    ["startup"] = StartupBench.RunAsync,
    ["rc"] = RcBench.RunAsync,
    ["soak"] = SoakBench.RunAsync,
};

foreach (var name in options.Command == "all" ? benches.Keys.Where(k => k != "soak").ToArray() : [options.Command])
{
    if (!benches.TryGetValue(name, out var bench))
    {
        Console.Error.WriteLine($"unknown bench '{name}': use {string.Join(", ", benches.Keys)} or all");
        return 2;
    }

    Console.WriteLine($"== {name} ==");
    await bench(options);
    Console.WriteLine();
}

return 0;
