namespace Rcmd.Bench;

public static class LatencyBench
{
    public static Task RunAsync(BenchOptions options)
    {
        Console.WriteLine("latency bench: pending the dashboard's job rows");
        return Task.CompletedTask;
    }
}
