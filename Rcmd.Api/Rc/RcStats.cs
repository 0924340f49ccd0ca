using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rcmd.Jobs;
using Rcmd.Rclone;
using Rcmd.Storage;

namespace Rcmd.Api.Rc;

/// <summary>
/// <c>core/stats</c>, <c>core/transferred</c> and <c>core/group-list</c> as an RC client expects them for its jobs: rcd runs
/// an Rcmd job under the group <c>rcmd/{job}/{attempt}</c>; these answers name it by the client's group (<c>job/{id}</c> or
/// its <c>_group</c>), which is how rclone's GUIs find their jobs in <c>transferring[]</c>. A finished job's stats come
/// from its record (the Worker drops the run's group from rcd once it is saved).
/// </summary>
internal sealed partial class RcStats(RcloneClient rclone, JobStore store, RcJobIds ids)
{
    public async Task<JsonObject> CallAsync(string path, RcParameters parameters, CancellationToken cancellationToken)
    {
        var forwarded = parameters.Input.DeepClone().AsObject();
        Job? rcJob = null;
        if (path == "core/stats" && parameters.GetStringOrNull("group") is { Length: > 0 } group && !group.StartsWith("rcmd/", StringComparison.Ordinal))
        {
            rcJob = await FindByGroupAsync(group, cancellationToken).ConfigureAwait(false);
            if (rcJob is not null)
            {
                if (!rcJob.State.IsTerminal() && rcJob.Attempt > 0)
                {
                    forwarded["group"] = RcloneCommands.Group(rcJob);
                }
                else
                {
                    return FromRecord(rcJob);
                }
            }
        }

        var output = await rclone.CallAsync(path, forwarded, cancellationToken).ConfigureAwait(false);
        var reply = output.ValueKind == JsonValueKind.Object ? JsonNode.Parse(output.GetRawText())!.AsObject() : [];
        await RenameGroupsAsync(reply, cancellationToken).ConfigureAwait(false);
        return reply;
    }

    /// <summary>Replaces every <c>rcmd/{job}/{attempt}</c> group in <paramref name="reply"/> by its RC job's group.</summary>
    private async Task RenameGroupsAsync(JsonObject reply, CancellationToken cancellationToken)
    {
        var values = new List<JsonValue>();
        Collect(reply, values);
        var jobIds = values.Select(v => RunGroup().Match(Text(v))).Where(m => m.Success).Select(m => m.Groups[1].Value)
            .Distinct(StringComparer.Ordinal).ToList();
        if (jobIds.Count == 0)
        {
            return;
        }

        var groups = (await store.GetManyAsync(jobIds, cancellationToken).ConfigureAwait(false))
            .Where(j => j.Rc is not null).ToDictionary(j => j.Id, j => j.Rc!.Group, StringComparer.Ordinal);
        foreach (var value in values)
        {
            var match = RunGroup().Match(Text(value));
            if (match.Success && groups.TryGetValue(match.Groups[1].Value, out var rcGroup))
            {
                value.ReplaceWith(rcGroup);
            }
        }
    }

    private static string Text(JsonValue value) => value.TryGetValue<string>(out var text) ? text : "";

    /// <summary>Every string that is a group: a <c>group</c> property, or an item of <c>groups</c> (core/group-list).</summary>
    private static void Collect(JsonNode? node, List<JsonValue> values)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "group" && value is JsonValue single)
                    {
                        values.Add(single);
                    }
                    else if (key == "groups" && value is JsonArray list)
                    {
                        values.AddRange(list.OfType<JsonValue>());
                    }
                    else
                    {
                        Collect(value, values);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Collect(item, values);
                }

                break;
        }
    }

    /// <summary>The group's job that is running, else its newest: from the group's index, reading only its jobs.</summary>
    private async Task<Job?> FindByGroupAsync(string group, CancellationToken cancellationToken)
    {
        var inGroup = await ids.InGroupAsync(group, cancellationToken).ConfigureAwait(false);
        var jobs = await store.GetManyAsync(inGroup.Select(a => a.JobId), cancellationToken).ConfigureAwait(false);
        return jobs.OrderByDescending(j => !j.State.IsTerminal()).ThenByDescending(j => j.Rc?.JobId ?? 0).FirstOrDefault();
    }

    /// <summary>core/stats of a job that is not running, from what its record kept (rclone's keys).</summary>
    private static JsonObject FromRecord(Job job)
    {
        var progress = job.Progress;
        var elapsed = job.StartedAt is { } s ? ((job.FinishedAt ?? job.UpdatedAt) - s).TotalSeconds : 0;
        return new JsonObject
        {
            ["bytes"] = progress?.Bytes ?? 0,
            ["checks"] = 0,
            ["deletedDirs"] = 0,
            ["deletes"] = 0,
            ["elapsedTime"] = Math.Max(0, elapsed),
            ["errors"] = progress?.Errors ?? (job.State is JobState.Failed ? 1 : 0),
            ["eta"] = null,
            ["fatalError"] = job.State == JobState.Failed && job.Error?.Retryable == false,
            ["lastError"] = job.Error?.Message,
            ["renames"] = 0,
            ["retryError"] = job.State == JobState.Failed && job.Error?.Retryable == true,
            ["speed"] = 0,
            ["totalBytes"] = progress?.TotalBytes ?? 0,
            ["totalChecks"] = 0,
            ["totalTransfers"] = progress?.TotalTransfers ?? 0,
            ["transferTime"] = Math.Max(0, elapsed),
            ["transfers"] = progress?.Transfers ?? 0,
        };
    }

    [GeneratedRegex("^rcmd/([0-9a-f]{32})/[0-9]+$")]
    private static partial Regex RunGroup();
}
