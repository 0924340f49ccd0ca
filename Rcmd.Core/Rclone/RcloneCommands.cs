using System.Text.Json;
using System.Text.Json.Nodes;
using Rcmd.Jobs;

namespace Rcmd.Rclone;

/// <summary>
/// How a <see cref="Job"/> becomes an RC call: the method and its JSON parameters. Every transfer runs async
/// (<c>_async</c>) in its own stats group (<c>_group</c>), so progress and stop address exactly that run.
/// </summary>
public static class RcloneCommands
{
    /// <summary>The stats group of a job's attempt: unique per run, so a retry never reads an old run's figures.</summary>
    public static string Group(Job job) => $"rcmd/{job.Id}/{job.Attempt}";

    public static (string Method, JsonObject Parameters) ForJob(Job job)
    {
        var (method, parameters) = job.Type switch
        {
            JobType.Copy => ("sync/copy", Dirs(job)),
            JobType.Sync => ("sync/sync", Dirs(job)),
            JobType.Move => ("sync/move", Dirs(job)),
            JobType.CopyFile => ("operations/copyfile", Files(job)),
            JobType.MoveFile => ("operations/movefile", Files(job)),
            JobType.Delete => ("operations/delete", new JsonObject { ["fs"] = job.Source }),
            JobType.DeleteFile => ("operations/deletefile", File(job.Source)),
            JobType.Purge => ("operations/purge", new JsonObject { ["fs"] = job.Source, ["remote"] = "" }),
            JobType.Batch => throw new ArgumentException($"Job {job.Id} is a batch: its items run one by one (Batches), not as one rclone call.", nameof(job)),
            _ => throw new ArgumentOutOfRangeException(nameof(job), job.Type, "Unknown job type."),
        };

        parameters["_async"] = true;
        parameters["_group"] = Group(job);
        var config = Settings(job.Options.Config);
        if (job.Options.DryRun)
        {
            config["DryRun"] = true;
        }

        if (config.Count > 0)
        {
            parameters["_config"] = config;
        }

        if (job.Options.Filter is { Count: > 0 } filter)
        {
            parameters["_filter"] = Settings(filter);
        }

        return (method, parameters);
    }

    private static JsonObject Dirs(Job job) => new()
    {
        ["srcFs"] = job.Source,
        ["dstFs"] = job.Destination,
    };

    /// <summary>A job's <c>_config</c> or <c>_filter</c> as rcd reads them (a JSON object in the body).</summary>
    private static JsonObject Settings(IReadOnlyDictionary<string, System.Text.Json.JsonElement>? values) =>
        values is null ? [] : new JsonObject(values.Select(v => KeyValuePair.Create(v.Key, JsonSerializer.SerializeToNode(v.Value))));

    private static JsonObject File(string path)
    {
        var file = RclonePath.SplitFile(path);
        return new JsonObject { ["fs"] = file.Fs, ["remote"] = file.Remote };
    }

    private static JsonObject Files(Job job)
    {
        var source = RclonePath.SplitFile(job.Source);
        var destination = RclonePath.SplitFile(job.Destination!);
        return new JsonObject
        {
            ["srcFs"] = source.Fs,
            ["srcRemote"] = source.Remote,
            ["dstFs"] = destination.Fs,
            ["dstRemote"] = destination.Remote,
        };
    }
}
