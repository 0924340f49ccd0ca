using System.ComponentModel.DataAnnotations;

namespace Rcmd.Worker.Batches;

/// <summary>
/// How Workers run batches, bound from <c>Batches</c> (<c>Batches__RemoteConcurrency=16</c>,
/// <c>Batches__Remotes__s3prod=4</c>, …) and validated at start.
/// </summary>
public sealed class BatchEngineOptions : IValidatableObject
{
    public const string Section = "Batches";

    /// <summary>Item operations on one remote at once, across all Workers and batches (local paths count as "local"). Default 16.</summary>
    [Range(1, 10_000)]
    public int RemoteConcurrency { get; set; } = 16;

    /// <summary>Per-remote overrides of <see cref="RemoteConcurrency"/>, by remote name (<c>local</c>, <c>s3prod</c>, <c>:s3</c>).</summary>
    public Dictionary<string, int> Remotes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long a remote permit lasts without renewal; a dead Worker's permits come back after it. Default 60 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PermitLease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The longest time between two checkpoints while items finish (the other bound is the batch's checkpointEvery), and
    /// so between two job-update events of a running batch. Default 500 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a running batch looks for a user's cancel request. Default 500 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan CancelCheckInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    public int LimitFor(string remote) => Remotes.TryGetValue(remote, out var limit) ? limit : RemoteConcurrency;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (remote, limit) in Remotes)
        {
            if (limit < 1)
            {
                yield return new ValidationResult($"Batches:Remotes:{remote} must be at least 1.", [nameof(Remotes)]);
            }
        }
    }
}
