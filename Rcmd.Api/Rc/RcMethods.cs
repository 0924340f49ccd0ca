
namespace Rcmd.Api.Rc;

/// <summary>How Rcmd answers an RC method.</summary>
internal enum RcKind
{
    /// <summary>Answered by the Api itself (<c>rc/noop</c>, <c>rc/noopauth</c>).</summary>
    Local,

    /// <summary>A transfer: becomes an Rcmd job (<see cref="RcJobs.Transfers"/>).</summary>
    Transfer,

    /// <summary><c>job/*</c>: answered from Rcmd's durable state.</summary>
    JobCall,

    /// <summary><c>job/batch</c>: each input is a call of its own, checked on its own.</summary>
    Batch,

    /// <summary><c>core/stats</c> and its kin: rcd's answer with Rcmd's runs named by their RC groups (<see cref="RcStats"/>).</summary>
    Stats,

    /// <summary>Passed to rcd (a read, or anything an admin may do).</summary>
    PassThrough,

    /// <summary>Never passed on (<c>core/quit</c>: Rcmd's rcd serves every Worker).</summary>
    Refused,
}

/// <summary>
/// The one table of RC methods: how each is answered and the role it needs. The <c>/rc/</c> endpoint admits any caller
/// that may sign in and checks each call (and each input of a <c>job/batch</c>) against this table. Viewers read,
/// operators run and stop transfers, admins pass anything else to rcd. A method not listed is passed to rcd for admins.
/// </summary>
internal static class RcMethods
{
    /// <summary>Calls passed to rcd that only read: any signed-in role (options/get is redacted below admin).</summary>
    private static readonly string[] ReadCalls =
    [
        "core/version", "core/pid", "config/listremotes", "config/get", "config/dump", "config/providers", "config/paths",
        "options/get", "options/info", "rc/list", "operations/list", "operations/stat", "operations/about", "operations/size",
        "operations/fsinfo", "operations/hashsum",
    ];

    // After ReadCalls: static fields are set in the order they are written.
    private static readonly Dictionary<string, (RcKind Kind, Role Role)> Table = Build();

    /// <summary>How <paramref name="path"/> is answered and the role it needs.</summary>
    public static (RcKind Kind, Role Role) Of(string path) =>
        Table.TryGetValue(path, out var entry) ? entry : (RcKind.PassThrough, Role.Admin);

    private static Dictionary<string, (RcKind, Role)> Build()
    {
        var table = new Dictionary<string, (RcKind, Role)>(StringComparer.Ordinal)
        {
            ["rc/noop"] = (RcKind.Local, Role.Viewer),
            ["rc/noopauth"] = (RcKind.Local, Role.Viewer),
            ["job/status"] = (RcKind.JobCall, Role.Viewer),
            ["job/list"] = (RcKind.JobCall, Role.Viewer),
            ["job/stop"] = (RcKind.JobCall, Role.Operator),
            ["job/stopgroup"] = (RcKind.JobCall, Role.Operator),
            ["job/batch"] = (RcKind.Batch, Role.Viewer),
            ["core/stats"] = (RcKind.Stats, Role.Viewer),
            ["core/transferred"] = (RcKind.Stats, Role.Viewer),
            ["core/group-list"] = (RcKind.Stats, Role.Viewer),
            ["core/quit"] = (RcKind.Refused, Role.Admin),
        };
        foreach (var transfer in RcJobs.Transfers.Keys)
        {
            table[transfer] = (RcKind.Transfer, Role.Operator);
        }

        foreach (var read in ReadCalls)
        {
            table[read] = (RcKind.PassThrough, Role.Viewer);
        }

        return table;
    }
}
