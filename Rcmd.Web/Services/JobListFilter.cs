using System.Globalization;
using System.Text;
using Rcmd.Jobs;
using Rcmd.Storage;

namespace Rcmd.Web.Services;

/// <summary>What the jobs grid filters by; every field maps to a query parameter of <c>GET /api/jobs</c>.</summary>
public sealed record JobListFilter
{
    public JobState? State { get; init; }
    public JobType? Type { get; init; }

    /// <summary>A remote's name as <see cref="RclonePath.RemoteName"/> gives it (<c>local</c> for local paths).</summary>
    public string? Remote { get; init; }

    public string? ErrorCode { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }

    /// <summary>Oldest first (<c>sort=created</c>) instead of newest first; with <see cref="SortBy"/> State or Type: A to Z.</summary>
    public bool Ascending { get; init; }

    /// <summary>The column the Api orders by (state and type: by name, newest first within).</summary>
    public JobSort SortBy { get; init; } = JobSort.Created;

    public string ToQuery(int page, int pageSize)
    {
        var query = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"page={page}&pageSize={pageSize}"));
        Add(query, "state", State?.ToWire());
        Add(query, "type", Type?.ToWire());
        Add(query, "remote", Remote);
        Add(query, "errorCode", ErrorCode);
        Add(query, "from", From?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        Add(query, "to", To?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        Add(query, "sort", SortBy switch
        {
            JobSort.State => Ascending ? "state" : "-state",
            JobSort.Type => Ascending ? "type" : "-type",
            _ => Ascending ? "created" : null,
        });
        return query.ToString();
    }

    /// <summary>Whether a job (seen in a live event) belongs in the filtered list.</summary>
    public bool Matches(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return (State is null || job.State == State)
            && (Type is null || job.Type == Type)
            && (string.IsNullOrEmpty(Remote) || RclonePath.RemoteName(job.Source) == Remote
                || (job.Destination is { } d && RclonePath.RemoteName(d) == Remote))
            && (string.IsNullOrEmpty(ErrorCode) || (job.State == JobState.Failed && job.Error?.Code == ErrorCode))
            && (From is null || job.CreatedAt >= From)
            && (To is null || job.CreatedAt <= To);
    }

    private static void Add(StringBuilder query, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            query.Append('&').Append(name).Append('=').Append(Uri.EscapeDataString(value.Trim()));
        }
    }
}
