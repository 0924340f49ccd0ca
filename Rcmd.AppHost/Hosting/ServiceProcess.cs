using System.Globalization;

namespace Rcmd.AppHost;

/// <summary>
/// The process that does a resource's work. Aspire starts a project as <c>dotnet run --no-build --project …</c>, which
/// runs the service as its child and waits for it: the pid Aspire reports is the <c>dotnet</c> CLI's. For
/// <c>rcmd.pids</c> (what a script or a test signals) that child is the one that counts. Read from <c>/proc</c>.
/// </summary>
internal static class ServiceProcess
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>The child of a <c>dotnet run</c> process (waiting up to 10 s for it to appear), else <paramref name="pid"/>.</summary>
    public static async Task<int> ResolveAsync(int pid, CancellationToken cancellationToken)
    {
        if (!IsDotnetRun(pid))
        {
            return pid;
        }

        var until = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < until)
        {
            if (ChildOf(pid) is { } child)
            {
                return child;
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        return pid;
    }

    private static bool IsDotnetRun(int pid)
    {
        try
        {
            var args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            return args.Length > 1 && Path.GetFileName(args[0]) == "dotnet" && args[1] == "run";
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int? ChildOf(int pid)
    {
        try
        {
            var children = File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return children.Length > 0 ? int.Parse(children[0], CultureInfo.InvariantCulture) : null;
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return null;
        }
    }
}
