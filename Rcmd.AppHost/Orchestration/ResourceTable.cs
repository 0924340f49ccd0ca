namespace Rcmd.AppHost.Orchestration;

/// <summary>One row of the URL table printed once everything is ready.</summary>
internal sealed record ResourceRow(string Name, string Kind, int? ProcessId, string Url, string Note, bool Highlight);

/// <summary>The table of resources and URLs. It shows addresses only: no password ever appears in it.</summary>
internal static class ResourceTable
{
    public static IReadOnlyList<string> Render(IReadOnlyList<ResourceRow> rows, Func<string, string> highlight)
    {
        string[] header = ["NAME", "KIND", "PID", "URL", ""];
        var cells = rows.Select(r => new[] { r.Name, r.Kind, r.ProcessId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", r.Url, r.Note }).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(c => cells.Select(r => r[c].Length).Append(header[c].Length).Max()).ToArray();
        string Line(string[] cell) => ("  " + string.Join("  ", cell.Select((v, c) => v.PadRight(widths[c])))).TrimEnd();

        var lines = new List<string> { "", Line(header) };
        for (var i = 0; i < rows.Count; i++)
        {
            var line = Line(cells[i]);
            lines.Add(rows[i].Highlight ? highlight(line) : line);
        }

        lines.Add("");
        return lines;
    }
}
