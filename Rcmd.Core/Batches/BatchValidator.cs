using System.Security.Cryptography;
using System.Text;
using Rcmd.Jobs;
using Rcmd.Paths;

namespace Rcmd.Batches;

/// <summary>One item as a client sent it: every field may be missing or wrong.</summary>
public sealed record BatchItemRequest
{
    public string? Op { get; init; }
    public string? Source { get; init; }
    public string? Destination { get; init; }
}

/// <summary>
/// Checks a batch request piece by piece, as it streams in: each item on its own (the job path rules: no flag-like
/// paths, no control characters, no credentials in inline remotes, file paths), duplicates across items, the options
/// and the directory pair; with a <see cref="PathPolicy"/>, also what the caller's role may use. Field names follow the
/// JSON: <c>items[12].source</c>.
/// </summary>
public sealed class BatchValidator(PathPolicy? policy = null, string? role = null)
{
    public const int MaxItems = 100_000;
    public const int MaxNameLength = 200;
    public const int MaxPatterns = 100;
    public const int MaxPatternLength = 1024;

    /// <summary>Field problems listed at most; the rest are summed up in one line.</summary>
    public const int MaxListedErrors = 50;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);
    private readonly Dictionary<UInt128, int> _seenItems = [];
    private readonly Dictionary<UInt128, int> _seenDestinations = [];
    private int _listed;
    private int _unlisted;

    public bool IsValid => _errors.Count == 0;

    /// <summary>Whether a path was refused by the path policy as one the caller may not use (answered <c>access_denied</c>).</summary>
    public bool AccessDenied { get; private set; }

    public int ErrorCount => _listed + _unlisted;

    public IReadOnlyDictionary<string, string[]> Errors
    {
        get
        {
            var errors = _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
            if (_unlisted > 0)
            {
                errors["items"] = [.. errors.GetValueOrDefault("items") ?? [], $"… and {_unlisted} more problems."];
            }

            return errors;
        }
    }

    public void Add(string field, string message)
    {
        if (_listed >= MaxListedErrors)
        {
            _unlisted++;
            return;
        }

        _listed++;
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
    }

    /// <summary>Checks item <paramref name="index"/>; returns it in stored form when valid.</summary>
    public BatchItem? CheckItem(int index, BatchItemRequest? request)
    {
        var field = $"items[{index}]";
        if (request is null)
        {
            Add(field, "An item must be an object with op, source and (for copyfile and movefile) destination.");
            return null;
        }

        var before = ErrorCount;
        var opOk = BatchOps.TryParse(request.Op?.Trim(), out var op);
        if (string.IsNullOrWhiteSpace(request.Op))
        {
            Add($"{field}.op", $"Op is required: one of {string.Join(", ", BatchOps.Names)}.");
        }
        else if (!opOk)
        {
            Add($"{field}.op", $"Unknown op '{Shorten(request.Op)}': use one of {string.Join(", ", BatchOps.Names)}.");
        }

        var source = request.Source?.Trim();
        CheckFilePath(source, "Source", $"{field}.source");

        var destination = request.Destination?.Trim();
        if (opOk && !op.HasDestination())
        {
            if (!string.IsNullOrEmpty(destination))
            {
                Add($"{field}.destination", $"A {op.ToWire()} item takes no destination.");
            }

            destination = null;
        }
        else
        {
            CheckFilePath(destination, "Destination", $"{field}.destination");
            if (source is not null && destination is not null
                && string.Equals(RclonePath.Normalize(source), RclonePath.Normalize(destination), StringComparison.Ordinal))
            {
                Add($"{field}.destination", "Destination is the same as the source.");
            }
        }

        if (ErrorCount != before || !opOk)
        {
            return null;
        }

        var item = new BatchItem { Op = op, Source = source!, Destination = destination };
        var key = Hash($"{op.ToWire()}\n{RclonePath.Normalize(item.Source)}\n{(destination is null ? "" : RclonePath.Normalize(destination))}");
        if (!_seenItems.TryAdd(key, index))
        {
            Add(field, $"Duplicate of items[{_seenItems[key]}] (same op, source and destination).");
            return null;
        }

        // Two items that write (or delete) the same path would race each other.
        var target = Hash(destination is null ? "delete\n" + RclonePath.Normalize(item.Source) : "write\n" + RclonePath.Normalize(destination));
        if (!_seenDestinations.TryAdd(target, index))
        {
            Add(field, destination is null
                ? $"Deletes the same file as items[{_seenDestinations[target]}]."
                : $"Writes the same destination as items[{_seenDestinations[target]}].");
            return null;
        }

        return item;
    }

    /// <summary>Checks the count once the items have been read (or when it passes the limit).</summary>
    public void CheckCount(long count)
    {
        if (count == 0)
        {
            Add("items", "A batch needs at least one item.");
        }
        else if (count > MaxItems)
        {
            Add("items", $"A batch takes at most {MaxItems} items; this one has more.");
        }
    }

    public void CheckName(string? name)
    {
        if (name is not null && (name.Length > MaxNameLength || name.Any(char.IsControl)))
        {
            Add("name", $"Name must be at most {MaxNameLength} characters, without control characters.");
        }
    }

    /// <summary>Checks the options (null = defaults) and returns them with defaults filled in.</summary>
    public BatchOptions CheckOptions(BatchOptions? options)
    {
        options ??= new BatchOptions();
        if (options.Concurrency is < 1 or > BatchOptions.MaxConcurrency)
        {
            Add("options.concurrency", $"Concurrency must be from 1 to {BatchOptions.MaxConcurrency}.");
        }

        if (options.CheckpointEvery is < 1 or > BatchOptions.MaxCheckpointEvery)
        {
            Add("options.checkpointEvery", $"CheckpointEvery must be from 1 to {BatchOptions.MaxCheckpointEvery}.");
        }

        var rule = options.StopRule ?? new BatchStopRule();
        if (rule.MinItems < 1)
        {
            Add("options.stopRule.minItems", "MinItems must be at least 1.");
        }

        if (double.IsNaN(rule.MaxFailureRatio) || rule.MaxFailureRatio is <= 0 or > 1)
        {
            Add("options.stopRule.maxFailureRatio", "MaxFailureRatio must be more than 0 and at most 1 (1 = never stop).");
        }

        return options with { StopRule = rule };
    }

    /// <summary>Checks a directory pair and its op (copyfile or movefile); returns the op.</summary>
    public BatchOp CheckDirectory(BatchDirectory directory, string? op)
    {
        ArgumentNullException.ThrowIfNull(directory);
        foreach (var (path, label, field) in new[] { (directory.Source?.Trim(), "Source", "directory.source"), (directory.Destination?.Trim(), "Destination", "directory.destination") })
        {
            var before = ErrorCount;
            foreach (var message in RclonePathRules.Check(path, label))
            {
                Add(field, message);
            }

            if (ErrorCount == before && path is not null)
            {
                CheckPolicy(path, label, field);
            }
        }

        if (directory.Source is { } s && directory.Destination is { } d
            && string.Equals(RclonePath.Normalize(s.Trim()), RclonePath.Normalize(d.Trim()), StringComparison.Ordinal))
        {
            Add("directory.destination", "Destination is the same as the source.");
        }

        CheckPatterns(directory.Include, "directory.include");
        CheckPatterns(directory.Exclude, "directory.exclude");

        var parsed = BatchOp.CopyFile;
        if (!string.IsNullOrWhiteSpace(op) && (!BatchOps.TryParse(op.Trim(), out parsed) || parsed == BatchOp.DeleteFile))
        {
            Add("op", "A directory batch's op is copyfile (default) or movefile.");
        }

        return parsed;
    }

    private void CheckPatterns(IReadOnlyList<string>? patterns, string field)
    {
        if (patterns is null)
        {
            return;
        }

        if (patterns.Count > MaxPatterns)
        {
            Add(field, $"At most {MaxPatterns} patterns.");
            return;
        }

        for (var i = 0; i < patterns.Count; i++)
        {
            var pattern = patterns[i];
            if (string.IsNullOrWhiteSpace(pattern) || pattern.Length > MaxPatternLength || pattern.Any(char.IsControl))
            {
                Add($"{field}[{i}]", $"A pattern must be a non-empty rclone glob of at most {MaxPatternLength} characters.");
            }
            else if (pattern.Count(c => c == '{') != pattern.Count(c => c == '}') || pattern.Count(c => c == '[') != pattern.Count(c => c == ']'))
            {
                Add($"{field}[{i}]", $"Pattern '{Shorten(pattern)}' has unbalanced brackets.");
            }
        }
    }

    private void CheckFilePath(string? path, string label, string field)
    {
        var before = ErrorCount;
        foreach (var message in RclonePathRules.Check(path, label))
        {
            Add(field, message);
        }

        if (ErrorCount == before && path is not null && !RclonePath.NamesFile(path))
        {
            Add(field, $"{label} must name a file, not a directory or a bare remote.");
        }

        if (ErrorCount == before && path is not null)
        {
            CheckPolicy(path, label, field);
        }
    }

    private void CheckPolicy(string path, string label, string field)
    {
        foreach (var refusal in policy?.Check(path, label, role) ?? [])
        {
            AccessDenied |= refusal.Kind == PathRefusalKind.Denied;
            Add(field, refusal.Message);
        }
    }

    private static UInt128 Hash(string value)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), hash);
        return new UInt128(BitConverter.ToUInt64(hash), BitConverter.ToUInt64(hash[8..]));
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
