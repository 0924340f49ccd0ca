namespace Rcmd.AppHost.Orchestration;

/// <summary>
/// The AppHost's console: each child's lines prefixed with its name (<c>api      | …</c>), the AppHost's own as
/// <c>rcmd: …</c>; colored on a terminal (not when redirected or <c>NO_COLOR</c> is set). Thread-safe. Every line passes
/// through <see cref="Mask"/>, so a registered secret (the rcd password) is never printed, whoever writes it.
/// </summary>
internal sealed class ConsoleOutput(TextWriter output, TextWriter error, bool color)
{
    private const string Reset = "\e[0m";
    private static readonly string[] Palette = ["\e[36m", "\e[35m", "\e[33m", "\e[34m", "\e[32m", "\e[96m", "\e[95m", "\e[93m", "\e[94m", "\e[92m"];
    private readonly Lock _gate = new();
    private readonly List<string> _secrets = [];
    private readonly Dictionary<string, string> _colors = new(StringComparer.Ordinal);
    private int _nameWidth = 8;

    public bool Color { get; } = color;

    public static ConsoleOutput ForConsole() => new(Console.Out, Console.Error,
        !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null && Environment.GetEnvironmentVariable("TERM") != "dumb");

    /// <summary>Prepares the prefixes: one width for all names, one color per name.</summary>
    public void UseNames(IEnumerable<string> names)
    {
        lock (_gate)
        {
            foreach (var name in names)
            {
                _nameWidth = Math.Max(_nameWidth, name.Length);
                _colors.TryAdd(name, Palette[_colors.Count % Palette.Length]);
            }
        }
    }

    public void AddSecret(string secret)
    {
        if (secret.Length > 0)
        {
            lock (_gate)
            {
                _secrets.Add(secret);
            }
        }
    }

    /// <summary>A line a child printed (stdout or stderr).</summary>
    public void ChildLine(string name, string line)
    {
        lock (_gate)
        {
            var prefix = name.PadRight(_nameWidth) + " | ";
            output.WriteLine(Color && _colors.TryGetValue(name, out var c) ? c + prefix + Reset + Mask(line) : prefix + Mask(line));
        }
    }

    /// <summary>The AppHost's own news: <c>rcmd: …</c>.</summary>
    public void Info(string message) => Write(output, "rcmd: " + message, "\e[1m");

    /// <summary>Something that stops Rcmd or needs the user: <c>rcmd: …</c> on stderr.</summary>
    public void Error(string message) => Write(error, "rcmd: " + message, "\e[1;31m");

    public void Lines(IEnumerable<string> lines)
    {
        lock (_gate)
        {
            foreach (var line in lines)
            {
                output.WriteLine(Mask(line));
            }

            output.Flush();
        }
    }

    /// <summary>Bold green on a terminal; as is otherwise.</summary>
    public string Highlight(string text) => Color ? "\e[1;32m" + text + Reset : text;

    private void Write(TextWriter writer, string line, string style)
    {
        lock (_gate)
        {
            writer.WriteLine(Color ? style + Mask(line) + Reset : Mask(line));
            writer.Flush();
        }
    }

    private string Mask(string line)
    {
        foreach (var secret in _secrets)
        {
            line = line.Replace(secret, "***", StringComparison.Ordinal);
        }

        return line;
    }
}
