using System.Text.Json;
using Rcmd.Jobs;
using Rcmd.Serialization;
using Rcmd.Storage;
using StackExchange.Redis;

namespace Rcmd.Bench;

/// <summary>
/// Writes many finished jobs straight into Redis with Rcmd's key scheme: the job document and every index JobStore's
/// enqueue/save scripts maintain (all jobs, state, type, the source and destination remotes, and the error code of a
/// failed job), so listing and every filter see them as if they had run. Types alternate copy, sync, copyfile, move;
/// every third job reads from the remote <c>b2src</c>; every tenth fails with <c>not_found</c>.
/// </summary>
public static class JobSeeder
{
    private static readonly JobType[] Types = [JobType.Copy, JobType.Sync, JobType.CopyFile, JobType.Move];

    public static async Task SeedAsync(string connectionString, int count)
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString);
        var keys = new RedisKeys();
        var database = redis.GetDatabase();
        var start = DateTimeOffset.UtcNow.AddDays(-30);
        const int Batch = 2000;
        for (var offset = 0; offset < count; offset += Batch)
        {
            var tasks = new List<Task>();
            var batch = database.CreateBatch();
            for (var i = offset; i < Math.Min(count, offset + Batch); i++)
            {
                var job = Job(i, start.AddSeconds(i * 10));
                var score = job.CreatedAt.ToUnixTimeMilliseconds();
                tasks.Add(batch.StringSetAsync(keys.Job(job.Id), JsonSerializer.Serialize(job, RcmdJsonContext.Default.Job)));
                foreach (var index in Indexes(keys, job))
                {
                    tasks.Add(batch.SortedSetAddAsync(index, job.Id, score));
                }
            }

            batch.Execute();
            await Task.WhenAll(tasks);
        }
    }

    private static Job Job(int i, DateTimeOffset created)
    {
        var state = i % 10 == 0 ? JobState.Failed : JobState.Succeeded;
        var type = Types[i % Types.Length];
        var source = i % 3 == 0 ? $"b2src:bucket/in/file{i}.bin" : $"/data/in/file{i}.bin";
        return new Job
        {
            Id = $"seed{i:D8}",
            Type = type,
            Source = source,
            Destination = $"/data/out/file{i}.bin",
            State = state,
            CreatedAt = created,
            UpdatedAt = created.AddSeconds(2),
            StartedAt = created.AddSeconds(1),
            FinishedAt = created.AddSeconds(2),
            Progress = new JobProgress { Bytes = 1024, TotalBytes = 1024, Transfers = 1, TotalTransfers = 1 },
            Attempts = [new JobAttempt { Number = 1, StartedAt = created.AddSeconds(1), FinishedAt = created.AddSeconds(2), WorkerId = "seed" }],
            Error = state == JobState.Failed ? new JobError { Code = "not_found", Message = "directory not found" } : null,
        };
    }

    /// <summary>The same sorted sets JobStore's enqueue (all, state, type, remotes) and save (error code) scripts fill.</summary>
    private static IEnumerable<string> Indexes(RedisKeys keys, Job job)
    {
        yield return keys.AllJobs;
        yield return keys.JobsInState(job.State);
        yield return keys.JobsOfType(job.Type);
        var source = RclonePath.RemoteName(job.Source);
        var destination = job.Destination is { } d ? RclonePath.RemoteName(d) : source;
        yield return keys.JobsOnRemote(source);
        if (destination != source)
        {
            yield return keys.JobsOnRemote(destination);
        }

        if (job is { State: JobState.Failed, Error.Code: { Length: > 0 } code })
        {
            yield return keys.JobsWithError(code);
        }
    }
}
