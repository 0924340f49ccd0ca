using System.Globalization;

namespace Rcmd.Bench;

public sealed record BenchOptions(string Command, int Jobs, int Concurrency, int Changes, int StoredJobs)
{
    /// <summary>latency: slow jobs kept running while the changes are measured (<c>--running N</c>; 0 = none).</summary>
    public int Running { get; init; }

    /// <summary>batch: items in the large batch (<c>--items N</c>, default 100,000).</summary>
    public int Items { get; init; } = 100_000;

    /// <summary>dashboards: how many Chromium pages stay open (<c>--dashboards N</c>).</summary>
    public int Dashboards { get; init; } = 20;

    /// <summary>dashboards: how long the live traffic runs (<c>--minutes N</c>, RSS printed every minute).</summary>
    public double Minutes { get; init; } = 10;

    /// <summary>schedules: how many schedules are stored (<c>--schedules N</c>, default 10,000).</summary>
    public int Schedules { get; init; } = 10_000;

    /// <summary>auth: hostile requests in the fuzz (<c>--requests N</c>, default 10,000).</summary>
    public int Requests { get; init; } = 10_000;

    /// <summary>startup: the old launcher's built Rcmd.AppHost.dll to compare with (<c>--old PATH</c>); none = after only.</summary>
    public string? OldAppHost { get; init; }

    /// <summary>startup: before/after pairs of (cold, warm) runs (<c>--pairs N</c>, default 3).</summary>
    public int Pairs { get; init; } = 3;

    /// <summary>soak: a time limit (<c>--minutes M</c>) when given; none by default (it runs until its jobs are done).</summary>
    public double? MinutesLimit { get; init; }

    /// <summary>soak: seconds between samples (<c>--sample-seconds N</c>, default 60).</summary>
    public int SampleSeconds { get; init; } = 60;

    public static BenchOptions Parse(string[] args)
    {
        var command = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
        int Int(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }

        // 2 Workers × 4 concurrent jobs each is the AppHost's default: the raw loop gets the same concurrency.
        var minutes = Array.IndexOf(args, "--minutes");
        return new BenchOptions(command, Int("--jobs", command == "soak" ? 1_000_000 : 1000), Int("--concurrency", 8), Int("--changes", 200), Int("--stored", 100_000))
        {
            Running = Int("--running", 0),
            OldAppHost = Array.IndexOf(args, "--old") is var old and >= 0 && old + 1 < args.Length ? args[old + 1] : null,
            Pairs = Int("--pairs", 3),
            Items = Int("--items", 100_000),
            Dashboards = Int("--dashboards", 20),
            Schedules = Int("--schedules", 10_000),
            Requests = Int("--requests", 10_000),
            SampleSeconds = Int("--sample-seconds", 60),
            Minutes = minutes >= 0 && minutes + 1 < args.Length ? double.Parse(args[minutes + 1], CultureInfo.InvariantCulture) : 10,
            MinutesLimit = minutes >= 0 && minutes + 1 < args.Length ? double.Parse(args[minutes + 1], CultureInfo.InvariantCulture) : null,
        };
    }
}
