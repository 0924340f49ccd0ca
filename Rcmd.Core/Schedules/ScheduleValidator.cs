using Rcmd.Batches;
using Rcmd.Failures;
using Rcmd.Jobs;

namespace Rcmd.Schedules;

/// <summary>The result of <see cref="ScheduleValidator.Validate"/>: field errors, or the schedule to store.</summary>
public sealed record ScheduleValidationResult(IReadOnlyDictionary<string, string[]> Errors, Schedule? Schedule)
{
    public bool IsValid => Schedule is not null;
}

/// <summary>
/// Checks a <see cref="ScheduleRequest"/> field by field: the cron expression, the time zone, that the schedule fires at
/// least once, the policies, and what it runs — a job through <see cref="JobValidator"/> and a batch through
/// <see cref="BatchValidator"/>, the very checks of <c>POST /api/jobs</c> and <c>POST /api/batches</c>, so a schedule
/// whose run would be refused is refused (fields <c>job.source</c>, <c>batch.items[3].op</c>, …).
/// </summary>
public static class ScheduleValidator
{
    public static ScheduleValidationResult Validate(ScheduleRequest? request, string id, DateTimeOffset now, DateTimeOffset? createdAt = null)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (request is null)
        {
            Add(errors, "body", "A JSON object with name, cron, timeZone and a job or a batch is required.");
            return Result(errors, null);
        }

        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            Add(errors, "name", "Name is required.");
        }
        else if (name.Length > ScheduleConstants.MaxNameLength || name.Any(char.IsControl))
        {
            Add(errors, "name", $"Name must be at most {ScheduleConstants.MaxNameLength} characters, without control characters.");
        }

        var cronOk = ScheduleTimetable.TryParseCron(request.Cron, out var expression, out var cronError);
        if (!cronOk)
        {
            Add(errors, "cron", cronError!);
        }

        var zoneOk = ScheduleTimetable.TryFindZone(request.TimeZone, out var zone);
        if (!zoneOk)
        {
            Add(errors, "timeZone", $"Unknown time zone '{Shorten(request.TimeZone ?? string.Empty)}': use an IANA id such as Europe/Paris, America/New_York or UTC.");
        }

        var overlap = ScheduleOverlap.Skip;
        if (!string.IsNullOrWhiteSpace(request.Overlap) && !ScheduleWire.TryParse(request.Overlap, out overlap))
        {
            Add(errors, "overlap", "Overlap must be skip (default), queue_one or parallel.");
        }

        var missed = ScheduleMissed.RunOnce;
        if (!string.IsNullOrWhiteSpace(request.Missed) && !ScheduleWire.TryParse(request.Missed, out missed))
        {
            Add(errors, "missed", "Missed must be run_once (default), skip or run_each.");
        }

        var cap = request.MissedCap ?? ScheduleConstants.DefaultMissedCap;
        if (cap is < 1 or > ScheduleConstants.MaxMissedCap)
        {
            Add(errors, "missedCap", $"MissedCap must be from 1 to {ScheduleConstants.MaxMissedCap}.");
        }

        var jitter = TimeSpan.Zero;
        if (!string.IsNullOrWhiteSpace(request.Jitter)
            && (!GoDuration.TryParse(request.Jitter.Trim(), out jitter) || jitter < TimeSpan.Zero || jitter > ScheduleConstants.MaxJitter))
        {
            Add(errors, "jitter", $"Jitter must be a duration such as 30s or 5m, at most {GoDuration.Format(ScheduleConstants.MaxJitter)}.");
        }

        if (request.StartAt is { } s && request.EndAt is { } e && e <= s)
        {
            Add(errors, "endAt", "EndAt must be after startAt.");
        }
        else if (request.EndAt is { } end && end <= now)
        {
            Add(errors, "endAt", "EndAt is in the past: the schedule would never fire.");
        }
        else if (cronOk && zoneOk)
        {
            var timetable = ScheduleTimetable.Create(expression!, zone!, request.StartAt, request.EndAt);
            if (timetable.NextAfter(now) is null)
            {
                Add(errors, "cron", request.EndAt is null
                    ? $"'{Shorten(request.Cron!.Trim())}' never fires (no such date)."
                    : $"'{Shorten(request.Cron!.Trim())}' never fires between startAt and endAt.");
            }
        }

        JobRequest? job = null;
        ScheduleBatch? batch = null;
        if (request.Job is not null && request.Batch is not null)
        {
            Add(errors, "body", "Give either job or batch, not both.");
        }
        else if (request.Job is { } jobRequest)
        {
            var result = JobValidator.Validate(jobRequest);
            foreach (var (field, messages) in result.Errors)
            {
                foreach (var message in messages)
                {
                    Add(errors, "job." + field, message);
                }
            }

            if (result.Submission is { } submission)
            {
                job = new JobRequest
                {
                    Type = submission.Type.ToWire(),
                    Source = submission.Source,
                    Destination = submission.Destination,
                    Options = submission.Options,
                };
            }
        }
        else if (request.Batch is { } batchRequest)
        {
            batch = CheckBatch(batchRequest, errors);
        }
        else
        {
            Add(errors, "job", "A schedule runs a job (as POST /api/jobs takes it) or a batch (as POST /api/batches takes it): give one.");
        }

        if (errors.Count > 0)
        {
            return Result(errors, null);
        }

        return Result(errors, new Schedule
        {
            Id = id,
            Name = name!,
            Cron = request.Cron!.Trim(),
            TimeZone = string.IsNullOrWhiteSpace(request.TimeZone) ? "UTC" : request.TimeZone.Trim(),
            Job = job,
            Batch = batch,
            Overlap = overlap,
            Missed = missed,
            MissedCap = cap,
            Jitter = jitter,
            StartAt = request.StartAt,
            EndAt = request.EndAt,
            CreatedAt = createdAt ?? now,
            UpdatedAt = now,
        });
    }

    private static ScheduleBatch? CheckBatch(ScheduleBatchRequest request, Dictionary<string, List<string>> errors)
    {
        var validator = new BatchValidator();
        validator.CheckName(request.Name);
        var options = validator.CheckOptions(request.Options);
        BatchOp? op = null;
        List<BatchItem>? items = null;
        if (request.Items is not null && request.Directory is not null)
        {
            validator.Add("body", "Give either items or directory, not both.");
        }
        else if (request.Directory is { } directory)
        {
            op = validator.CheckDirectory(directory, request.Op);
        }
        else if (request.Items is { } list)
        {
            if (list.Count > ScheduleConstants.MaxBatchItems)
            {
                validator.Add("items", $"A schedule's batch takes at most {ScheduleConstants.MaxBatchItems} items (a directory pair has no limit).");
            }
            else
            {
                validator.CheckCount(list.Count);
                items = [];
                for (var i = 0; i < list.Count; i++)
                {
                    if (validator.CheckItem(i, list[i]) is { } item)
                    {
                        items.Add(item);
                    }
                }
            }

            if (!string.IsNullOrWhiteSpace(request.Op))
            {
                validator.Add("op", "Op is for directory batches; each item has its own op.");
            }
        }
        else
        {
            validator.Add("items", "A batch needs items (a list of operations) or directory (a source and destination).");
        }

        foreach (var (field, messages) in validator.Errors)
        {
            foreach (var message in messages)
            {
                Add(errors, "batch." + field, message);
            }
        }

        if (!validator.IsValid)
        {
            return null;
        }

        return new ScheduleBatch
        {
            Name = string.IsNullOrWhiteSpace(request.Name) ? null : request.Name.Trim(),
            Op = op,
            Items = items,
            Directory = request.Directory is { } d
                ? d with { Source = d.Source?.Trim(), Destination = d.Destination?.Trim() }
                : null,
            Options = options,
        };
    }

    private static ScheduleValidationResult Result(Dictionary<string, List<string>> errors, Schedule? schedule) =>
        new(errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal), schedule);

    private static void Add(Dictionary<string, List<string>> errors, string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }

        list.Add(message);
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
