using Rcmd.AppHost.Model;

namespace Rcmd.AppHost.Orchestration;

/// <summary>
/// Everything needed to start one instance and know when it is ready. <see cref="Environment"/> holds only what the
/// AppHost sets; the process inherits the rest of the AppHost's environment. <see cref="Secrets"/> are values that
/// must never be printed (the console masks them).
/// </summary>
internal sealed record LaunchSpec(
    ResourceInstance Instance,
    string Kind,
    string FileName,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory,
    IReadinessProbe Readiness,
    TimeSpan ReadyTimeout,
    IReadOnlyList<string> Secrets)
{
    public string Name => Instance.Name;
}

/// <summary>The instances to start, wave by wave (a wave starts when the one before is ready), and where data lives.</summary>
internal sealed record LaunchPlan(IReadOnlyList<IReadOnlyList<LaunchSpec>> Waves, string DataDirectory)
{
    public IEnumerable<LaunchSpec> All => Waves.SelectMany(w => w);
}
