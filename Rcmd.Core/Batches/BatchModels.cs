using System.Text.Json.Serialization;
using Rcmd.Serialization;

namespace Rcmd.Batches;

/// <summary>What one batch item asks rclone to do: one synchronous rcd call.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<BatchOp>))]
public enum BatchOp
{
    /// <summary><c>operations/copyfile</c>: safe to run twice.</summary>
    [JsonStringEnumMemberName("copyfile")]
    CopyFile,

    /// <summary><c>operations/movefile</c>: checked before it runs again after a crash.</summary>
    [JsonStringEnumMemberName("movefile")]
    MoveFile,

    /// <summary><c>operations/deletefile</c>: checked before it runs again after a crash.</summary>
    [JsonStringEnumMemberName("deletefile")]
    DeleteFile,
}

public static class BatchOps
{
    public static IReadOnlyList<string> Names { get; } = ["copyfile", "movefile", "deletefile"];

    public static string ToWire(this BatchOp op) => op switch
    {
        BatchOp.CopyFile => "copyfile",
        BatchOp.MoveFile => "movefile",
        BatchOp.DeleteFile => "deletefile",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    public static bool TryParse(string? value, out BatchOp op)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], value, StringComparison.OrdinalIgnoreCase))
            {
                op = (BatchOp)i;
                return true;
            }
        }

        op = default;
        return false;
    }

    public static bool HasDestination(this BatchOp op) => op != BatchOp.DeleteFile;

    /// <summary>The rcd method that runs the item.</summary>
    public static string Method(this BatchOp op) => $"operations/{op.ToWire()}";
}

/// <summary>One item as stored in the batch's item list (compact JSON: <c>{"o":"copyfile","s":"…","d":"…"}</c>).</summary>
public sealed record BatchItem
{
    [JsonPropertyName("o")]
    public required BatchOp Op { get; init; }

    [JsonPropertyName("s")]
    public required string Source { get; init; }

    [JsonPropertyName("d")]
    public string? Destination { get; init; }
}

/// <summary>Where an item is. Only items with a result are stored in the results hash; the rest are pending or running.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<BatchItemState>))]
public enum BatchItemState
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Skipped,

    /// <summary>Failed retryably; runs again at <see cref="BatchItemResult.DueAt"/>.</summary>
    RetryQueued,
}

public static class BatchItemStates
{
    public static IReadOnlyList<BatchItemState> All { get; } = Enum.GetValues<BatchItemState>();

    /// <summary>The states a stored result can have, in the order of the per-state index keys.</summary>
    public static IReadOnlyList<BatchItemState> Recorded { get; } =
        [BatchItemState.Succeeded, BatchItemState.Failed, BatchItemState.Skipped, BatchItemState.RetryQueued];

    public static string ToWire(this BatchItemState state) => state switch
    {
        BatchItemState.Pending => "pending",
        BatchItemState.Running => "running",
        BatchItemState.Succeeded => "succeeded",
        BatchItemState.Failed => "failed",
        BatchItemState.Skipped => "skipped",
        BatchItemState.RetryQueued => "retry_queued",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static bool TryParse(string? value, out BatchItemState state)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToWire(), value, StringComparison.OrdinalIgnoreCase))
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }

    /// <summary>Whether the item is done for this run: it is never dispatched again (a resume may turn a retryable failure back).</summary>
    public static bool IsFinal(this BatchItemState state) =>
        state is BatchItemState.Succeeded or BatchItemState.Failed or BatchItemState.Skipped;
}

/// <summary>An item's result, written to Redis before the batch counts it.</summary>
public sealed record BatchItemResult
{
    public required BatchItemState State { get; init; }
    public string? Code { get; init; }

    /// <summary>What went wrong, secrets redacted.</summary>
    public string? Message { get; init; }

    /// <summary>rclone calls made for this item, over every run of the batch.</summary>
    public int Attempts { get; init; }

    /// <summary>Calls since the item was last (re)queued by a resume: the retry limit counts these.</summary>
    public int RoundAttempts { get; init; }

    public bool Retryable { get; init; }
    public string? Suggestion { get; init; }

    /// <summary>When a retry-queued item runs again.</summary>
    public DateTimeOffset? DueAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }
}

/// <summary>Options of a batch, as submitted (validated by <see cref="BatchValidator"/>).</summary>
public sealed record BatchOptions
{
    public const int DefaultConcurrency = 8;
    public const int MaxConcurrency = 64;
    public const int DefaultCheckpointEvery = 10;
    public const int MaxCheckpointEvery = 1000;

    // set, not init: the JSON source generator passes init-only properties missing from the body as default(T)
    // (0, null), losing these defaults; set accessors are assigned only when present.
    public int Concurrency { get; set; } = DefaultConcurrency;
    public int CheckpointEvery { get; set; } = DefaultCheckpointEvery;
    public BatchStopRule StopRule { get; set; } = new();
    public bool DryRun { get; set; }
}

/// <summary>Stop dispatching when, after <see cref="MinItems"/> finished items, more than <see cref="MaxFailureRatio"/> failed.</summary>
public sealed record BatchStopRule
{
    // set, not init: see BatchOptions.
    public int MinItems { get; set; } = 20;
    public double MaxFailureRatio { get; set; } = 0.5;
}

/// <summary>A directory pair expanded into one item per file (filters: rclone globs).</summary>
public sealed record BatchDirectory
{
    public string? Source { get; init; }
    public string? Destination { get; init; }
    public IReadOnlyList<string>? Include { get; init; }
    public IReadOnlyList<string>? Exclude { get; init; }
}

/// <summary>A batch's counts and state, carried on its job record (<see cref="Jobs.Job.Batch"/>).</summary>
public sealed record BatchSummary
{
    public const string ItemsKind = "items";
    public const string DirectoryKind = "directory";
    public const string StopRuleReason = "stop_rule";

    public string? Name { get; init; }

    /// <summary><see cref="ItemsKind"/> or <see cref="DirectoryKind"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>The operation of a directory batch's items.</summary>
    public BatchOp? Op { get; init; }

    public BatchDirectory? Directory { get; init; }
    public long Total { get; init; }
    public long Succeeded { get; init; }
    public long Failed { get; init; }
    public long Skipped { get; init; }
    public long RetryQueued { get; init; }
    public long Running { get; init; }
    public long Pending { get; init; }
    public IReadOnlyDictionary<string, long> FailedByCode { get; init; } = new Dictionary<string, long>();

    /// <summary>Whether <c>resume</c> would do anything (set when the batch ends).</summary>
    public bool CanResume { get; init; }

    /// <summary><see cref="StopRuleReason"/> when the stop rule ended the run.</summary>
    public string? StopReason { get; init; }

    /// <summary>A directory batch whose listing is not yet all in the item list.</summary>
    public bool Expanding { get; init; }

    public string? RetryOf { get; init; }
    public IReadOnlyList<string> RetriedBy { get; init; } = [];
    public DateTimeOffset? CheckpointAt { get; init; }
    public BatchOptions Options { get; init; } = new();

    /// <summary>Of <see cref="Failed"/>, the items whose last failure was retryable: a resume runs them again.</summary>
    public long RetryableFailed { get; init; }

    /// <summary>Whether a resume would run anything: items pending, in flight, retry-queued or failed retryably.</summary>
    [JsonIgnore]
    public bool HasWorkLeft => Expanding || Pending + Running + RetryQueued + RetryableFailed > 0;

    /// <summary>Applies the counters read from the checkpoint.</summary>
    public BatchSummary With(BatchCounters counters, long running, DateTimeOffset? at) => this with
    {
        Total = counters.Total,
        Succeeded = counters.Succeeded,
        Failed = counters.Failed,
        Skipped = counters.Skipped,
        RetryQueued = counters.RetryQueued,
        RetryableFailed = counters.RetryableFailed,
        Running = running,
        Pending = Math.Max(0, counters.Total - counters.Succeeded - counters.Failed - counters.Skipped - counters.RetryQueued - running),
        FailedByCode = counters.FailedByCode,
        CheckpointAt = at ?? CheckpointAt,
    };
}

/// <summary>The counters of a batch's checkpoint: every recorded result counted once, in the same step as it was written.</summary>
public sealed record BatchCounters(long Total, long Succeeded, long Failed, long Skipped, long RetryQueued, long RetryableFailed,
    IReadOnlyDictionary<string, long> FailedByCode)
{
    public static BatchCounters Empty { get; } = new(0, 0, 0, 0, 0, 0, new Dictionary<string, long>());

    /// <summary>Items that got an outcome (a retry-queued item failed once: it counts as a failure for the stop rule).</summary>
    public long Finished => Succeeded + Failed + Skipped + RetryQueued;

    public long Done => Succeeded + Failed + Skipped;
}

/// <summary>One line of a batch report.</summary>
public sealed record BatchReportItem
{
    public required long Index { get; init; }
    public required BatchOp Op { get; init; }
    public required string Source { get; init; }
    public string? Destination { get; init; }
    public required BatchItemState State { get; init; }
    public string? Code { get; init; }
    public string? Message { get; init; }
    public int Attempts { get; init; }
    public bool Retryable { get; init; }
    public string? Suggestion { get; init; }
    public DateTimeOffset? DueAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    public static BatchReportItem From(long index, BatchItem item, BatchItemResult? result, bool running) => new()
    {
        Index = index,
        Op = item.Op,
        Source = item.Source,
        Destination = item.Destination,
        State = result?.State ?? (running ? BatchItemState.Running : BatchItemState.Pending),
        Code = result?.Code,
        Message = result?.Message,
        Attempts = result?.Attempts ?? 0,
        Retryable = result?.Retryable ?? false,
        Suggestion = result?.Suggestion,
        DueAt = result?.State == BatchItemState.RetryQueued ? result.DueAt : null,
        FinishedAt = result?.FinishedAt,
    };
}

/// <summary>The counts of a report.</summary>
public sealed record BatchTotals
{
    public long Total { get; init; }
    public long Succeeded { get; init; }
    public long Failed { get; init; }
    public long Skipped { get; init; }
    public long RetryQueued { get; init; }
    public long Running { get; init; }
    public long Pending { get; init; }
    public IReadOnlyDictionary<string, long> FailedByCode { get; init; } = new Dictionary<string, long>();

    public static BatchTotals From(BatchSummary summary) => new()
    {
        Total = summary.Total,
        Succeeded = summary.Succeeded,
        Failed = summary.Failed,
        Skipped = summary.Skipped,
        RetryQueued = summary.RetryQueued,
        Running = summary.Running,
        Pending = summary.Pending,
        FailedByCode = summary.FailedByCode,
    };
}

/// <summary><c>GET /api/batches/{id}/report</c>: the totals and one page of items.</summary>
public sealed record BatchReport
{
    public required string Id { get; init; }
    public required Jobs.JobState State { get; init; }
    public required BatchTotals Totals { get; init; }
    public bool CanResume { get; init; }
    public long Offset { get; init; }
    public int Limit { get; init; }
    public long Matched { get; init; }
    public IReadOnlyList<BatchReportItem> Items { get; init; } = [];
}
