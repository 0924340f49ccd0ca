using Rcmd.Failures;
using Rcmd.Jobs;

namespace Rcmd.Breakers;

/// <summary>
/// The breakers of the remotes one job or read touches (resilience-patterns.md's <c>RemoteCircuitManager</c>): a job
/// copying between two remotes goes through only when both admit it, and its outcome is recorded on each.
/// </summary>
public sealed class RemoteBreakers(BreakerStore store)
{
    public BreakerStore Store => store;

    public TimeProvider Time => store.Time;

    /// <summary>The distinct remotes of <paramref name="paths"/> that have a breaker (exempt and disabled ones left out).</summary>
    public IReadOnlyList<string> RemotesOf(params string?[] paths)
    {
        if (!store.Enabled)
        {
            return [];
        }

        return [.. paths.OfType<string>().Where(p => p.Length > 0).Select(RclonePath.RemoteName)
            .Distinct(StringComparer.Ordinal).Where(r => store.SettingsFor(r).Enabled)];
    }

    public IReadOnlyList<string> RemotesOf(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return RemotesOf(job.Source, job.Destination);
    }

    /// <summary>
    /// Asks each remote's breaker in turn. All admit: the admission is a run in flight on each (and holds their probe
    /// slots when half-open) until its outcome is recorded or it is released. One refuses: the remotes already entered
    /// are released and the refusal names that remote and when to ask again.
    /// </summary>
    public async Task<BreakerAdmission> EnterAsync(IReadOnlyList<string> remotes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(remotes);
        var probeId = Guid.NewGuid().ToString("N");
        var admitted = new List<string>(remotes.Count);
        foreach (var remote in remotes)
        {
            var step = await store.AcquireAsync(remote, probeId, cancellationToken).ConfigureAwait(false);
            var decision = step.Decision!;
            if (!decision.Admitted)
            {
                foreach (var taken in admitted)
                {
                    await store.ReleaseAsync(taken, probeId, cancellationToken).ConfigureAwait(false);
                }

                return new BreakerAdmission(remotes, probeId, new BreakerRefusal(remote, decision, step.Next));
            }

            admitted.Add(remote);
        }

        return new BreakerAdmission(remotes, probeId, null);
    }

    /// <summary>The admitted run or call succeeded: a success for every remote it touched.</summary>
    public async Task RecordSuccessAsync(BreakerAdmission admission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admission);
        foreach (var remote in admission.Remotes)
        {
            await store.RecordSuccessAsync(remote, admission.ProbeId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The admitted run or call failed with <paramref name="code"/>. A code that counts is charged to the remote the
    /// message names when it names one of them (the classifier reads "Failed to create file system for …"), else to
    /// every remote involved — rclone rarely says which side of a copy failed. Other remotes are released.
    /// </summary>
    public async Task RecordFailureAsync(BreakerAdmission admission, string code, string? message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admission);
        ArgumentException.ThrowIfNullOrEmpty(code);
        var named = admission.Remotes.Count > 1 && BreakerStateMachine.Counts(code)
            ? FailureClassifier.Default.Classify(message).Remote
            : null;
        var blamed = named is not null && admission.Remotes.Contains(named, StringComparer.Ordinal) ? named : null;
        foreach (var remote in admission.Remotes)
        {
            if (blamed is null || remote == blamed)
            {
                await store.RecordFailureAsync(remote, code, message, admission.ProbeId, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await store.ReleaseAsync(remote, admission.ProbeId, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The admitted run ended without an outcome worth counting (canceled, lost): no longer in flight, its probe slots freed.</summary>
    public async Task ReleaseAsync(BreakerAdmission admission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admission);
        foreach (var remote in admission.Remotes)
        {
            await store.ReleaseAsync(remote, admission.ProbeId, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>What <see cref="RemoteBreakers.EnterAsync"/> said: admitted (no refusal) or refused by one remote.</summary>
/// <param name="Remotes">The remotes asked, in order.</param>
/// <param name="ProbeId">The probe slot id this admission holds on half-open breakers.</param>
/// <param name="Refusal">Null when every breaker admitted.</param>
public sealed record BreakerAdmission(IReadOnlyList<string> Remotes, string ProbeId, BreakerRefusal? Refusal)
{
    public bool Admitted => Refusal is null;
}

/// <summary>A breaker said no: which remote, its decision (state, when to ask again) and its snapshot.</summary>
public sealed record BreakerRefusal(string Remote, BreakerDecision Decision, BreakerSnapshot Breaker)
{
    /// <summary>
    /// "Remote X is temporarily unavailable. Retry in N seconds." (or, isolated, that an operator holds it; or, closed
    /// but failing, that the runs in flight decide whether its circuit opens).
    /// </summary>
    public string Message(DateTimeOffset now) => Decision switch
    {
        { State: BreakerState.Isolated } =>
            $"Remote {Remote} is isolated by an operator (its circuit breaker is held open). Retry in {Seconds(now)}, or reset its breaker.",
        { State: BreakerState.Closed, RunsInFlight: { } runs } =>
            $"Remote {Remote} is failing: {runs} {(runs == 1 ? "run in flight decides" : "runs in flight decide")} whether its circuit opens. "
            + $"Retry in {Seconds(now)}.",
        _ => $"Remote {Remote} is temporarily unavailable. Retry in {Seconds(now)}.",
    };

    private string Seconds(DateTimeOffset now) => Decision.RetryInSeconds(now) switch { 1 => "1 second", var seconds => $"{seconds} seconds" };
}
