using System.Text;
using Rcmd.Batches;

namespace Rcmd.Web.Services;

/// <summary>What a batch report is filtered by: an item state and/or an error code (<c>?state=&amp;code=</c>).</summary>
public sealed record BatchReportFilter
{
    public BatchItemState? State { get; init; }

    /// <summary>An error code: failed and retry-queued items that ended with it.</summary>
    public string? Code { get; init; }

    public bool IsEmpty => State is null && string.IsNullOrEmpty(Code);

    /// <summary>The query without a leading '?' (empty when nothing is filtered).</summary>
    public string ToQuery()
    {
        var query = new StringBuilder();
        if (State is { } state)
        {
            query.Append("state=").Append(state.ToWire());
        }

        if (!string.IsNullOrEmpty(Code))
        {
            query.Append(query.Length > 0 ? "&" : string.Empty).Append("code=").Append(Uri.EscapeDataString(Code));
        }

        return query.ToString();
    }
}
