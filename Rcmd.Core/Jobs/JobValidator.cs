namespace Rcmd.Jobs;

/// <summary>
/// Checks a <see cref="JobRequest"/> field by field, so the API and the dashboard's form show the same messages.
/// Paths are rclone paths; anything that could be read as a flag, carries control characters or puts credentials
/// into a connection string is refused (credentials belong in rclone's config, where they never reach the UI).
/// </summary>
public static class JobValidator
{
    public const int MaxPathLength = 4096;

    public static JobValidationResult Validate(JobRequest? request)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (request is null)
        {
            Add(errors, "body", "A JSON object with type, source and (for all but delete) destination is required.");
            return JobValidationResult.From(errors, null);
        }

        var typeOk = JobTypes.TryParse(request.Type, out var type);
        if (string.IsNullOrWhiteSpace(request.Type))
        {
            Add(errors, "type", $"Type is required: one of {string.Join(", ", JobTypes.Names)}.");
        }
        else if (!typeOk)
        {
            Add(errors, "type", $"Unknown type '{Truncate(request.Type)}': use one of {string.Join(", ", JobTypes.Names)}.");
        }
        else if (type == JobType.Batch)
        {
            typeOk = false;
            Add(errors, "type", "Batches are submitted to /api/batches (a list of items or a directory pair).");
        }

        var source = request.Source?.Trim();
        foreach (var message in RclonePathRules.Check(source, "Source"))
        {
            Add(errors, "source", message);
        }

        var destination = request.Destination?.Trim();
        if (typeOk && !type.HasDestination())
        {
            if (!string.IsNullOrEmpty(destination))
            {
                Add(errors, "destination", $"A {type.ToWire()} job takes no destination.");
            }

            destination = null;
        }
        else
        {
            foreach (var message in RclonePathRules.Check(destination, "Destination"))
            {
                Add(errors, "destination", message);
            }
        }

        if (typeOk && type == JobType.DeleteFile && source is not null && !RclonePath.NamesFile(source))
        {
            Add(errors, "source", "A deletefile job needs a file path, not a directory or a bare remote.");
        }

        if (typeOk && type == JobType.Purge && source is not null && !RclonePath.NamesFile(source))
        {
            Add(errors, "source", "A purge job needs a directory under a remote or a local directory, not a bare remote or '/'.");
        }

        var options = request.Options ?? new JobOptions();
        var config = JobRcloneSettings.Check(options.Config, JobRcloneSettings.Config, "options.config", errors);
        var filter = JobRcloneSettings.Check(options.Filter, JobRcloneSettings.Filter, "options.filter", errors);

        if (typeOk && type is JobType.CopyFile or JobType.MoveFile)
        {
            if (source is not null && !RclonePath.NamesFile(source))
            {
                Add(errors, "source", $"A {type.ToWire()} job needs a file path, not a directory or a bare remote.");
            }

            if (destination is not null && !RclonePath.NamesFile(destination))
            {
                Add(errors, "destination", $"A {type.ToWire()} job needs a file path for the destination.");
            }
        }

        if (typeOk && type.HasDestination() && source is not null && destination is not null
            && string.Equals(RclonePath.Normalize(source), RclonePath.Normalize(destination), StringComparison.Ordinal))
        {
            Add(errors, "destination", "Destination is the same as the source.");
        }

        return JobValidationResult.From(errors, errors.Count == 0
            ? new JobSubmission(type, source!, destination, options with { Config = config, Filter = filter })
            : null);
    }

    internal static void Add(Dictionary<string, List<string>> errors, string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }

        list.Add(message);
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";
}

public sealed record JobValidationResult(IReadOnlyDictionary<string, string[]> Errors, JobSubmission? Submission)
{
    public bool IsValid => Submission is not null;

    internal static JobValidationResult From(Dictionary<string, List<string>> errors, JobSubmission? submission) =>
        new(errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal), submission);
}
