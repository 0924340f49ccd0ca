using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Rcmd.Notifications.Channels;

/// <summary>
/// A notification as people read it (Telegram, email): a title with its emoji and a few lines, after the seed's
/// messages ("✅ <b>Job completed</b>", "❌ <b>Job failed</b>", "⚠️ <b>Remote offline</b>"). Rendered as Telegram HTML,
/// email HTML or plain text; every value is escaped.
/// </summary>
public sealed class NotificationMessage
{
    private readonly List<List<(string Text, Style Style)>> _lines = [];

    private NotificationMessage(string emoji, string title)
    {
        Emoji = emoji;
        Title = title;
    }

    private enum Style
    {
        Plain,
        Bold,
        Code,
        Italic,
    }

    public string Emoji { get; }

    public string Title { get; }

    /// <summary>A one-line summary for an email subject: "[Rcmd] Job failed: copy s3:a → /b (network_error)".</summary>
    public string Subject { get; private set; } = "";

    public static NotificationMessage For(NotificationEntry entry, int suppressed)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var message = entry.Event switch
        {
            NotificationTypes.JobCompleted => Job(entry, "✅", "Job completed", error: false),
            NotificationTypes.JobFailed => Job(entry, "❌", "Job failed", error: true),
            NotificationTypes.JobRetrying => Job(entry, "🔁", "Job retrying", error: true),
            NotificationTypes.JobPartiallyFailed => Job(entry, "⚠️", "Job partially failed", error: true),
            NotificationTypes.RemoteOffline => Remote(entry, "⚠️", "Remote offline", " is not responding"),
            NotificationTypes.RemoteOnline => Remote(entry, "✅", "Remote online", " is responding again"),
            _ => Other(entry),
        };
        if (suppressed > 0)
        {
            message.Line((suppressed == 1 ? "1 more alert like this was" : $"{suppressed} more alerts like this were")
                + " held back by the cooldown.", Style.Italic);
        }

        return message;
    }

    /// <summary>Telegram's HTML parse mode: <c>&lt;b&gt;</c>, <c>&lt;code&gt;</c>, <c>&lt;i&gt;</c>, lines joined by newlines.</summary>
    public string ToTelegramHtml() =>
        $"{Emoji} <b>{Escape(Title)}</b>" + string.Concat(_lines.Select(line => "\n" + Html(line)));

    /// <summary>An HTML email body.</summary>
    public string ToEmailHtml() =>
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif\"><p>"
        + $"{Emoji} <b>{Escape(Title)}</b>" + string.Concat(_lines.Select(line => "<br>\n" + Html(line)))
        + "</p><p style=\"color:#888;font-size:smaller\">Rcmd</p></body></html>";

    /// <summary>The plain-text body.</summary>
    public string ToPlainText() =>
        $"{Emoji} {Title}" + string.Concat(_lines.Select(line => "\n" + string.Concat(line.Select(p => p.Text))));

    private static NotificationMessage Job(NotificationEntry entry, string emoji, string title, bool error)
    {
        var message = new NotificationMessage(emoji, title);
        var source = entry.Get("source") ?? "?";
        var destination = entry.Get("destination");
        var path = destination is null ? source : $"{source} → {destination}";
        message.Line(path);
        message.Line($"{entry.Get("type") ?? "job"} · job ", Style.Plain, entry.Get("jobId") ?? "?", Style.Code);
        var code = entry.Get("errorCode");
        if (entry.Event == NotificationTypes.JobCompleted && Double(entry, "durationMs") is { } ms)
        {
            message.Line(string.Create(CultureInfo.InvariantCulture, $"Duration: {ms / 1000:0.#}s"));
        }

        if (error && code is not null)
        {
            var label = entry.Event == NotificationTypes.JobRetrying ? $"Attempt {entry.Get("attempt") ?? "?"} failed: " : "Error: ";
            message.Line(label, Style.Plain, code, Style.Code, " " + (entry.Get("error") ?? ""), Style.Plain);
        }

        if (entry.Get("suggestion") is { } suggestion && entry.Event != NotificationTypes.JobCompleted)
        {
            message.Line(suggestion, Style.Italic);
        }

        if (entry.Event == NotificationTypes.JobRetrying && entry.Get("retryAt") is { } retryAt)
        {
            message.Line($"Next attempt: {When(retryAt)}");
        }

        message.Subject = $"[Rcmd] {title}: {path}" + (error && code is not null ? $" ({code})" : "");
        return message;
    }

    private static NotificationMessage Remote(NotificationEntry entry, string emoji, string title, string says)
    {
        var message = new NotificationMessage(emoji, title);
        var remote = entry.Remote ?? "?";
        message.Line(remote, Style.Bold, says, Style.Plain);
        if (entry.Event == NotificationTypes.RemoteOffline && entry.Get("lastErrorCode") is { } code)
        {
            message.Line("Last error: ", Style.Plain, code, Style.Code, " " + (entry.Get("lastErrorMessage") ?? ""), Style.Plain);
        }

        if (entry.Event == NotificationTypes.RemoteOffline && entry.Get("retryAt") is { } retryAt)
        {
            message.Line($"Next probe: {When(retryAt)}");
        }

        message.Subject = $"[Rcmd] {title}: {remote}";
        return message;
    }

    private static NotificationMessage Other(NotificationEntry entry)
    {
        var message = new NotificationMessage("ℹ️", entry.Event);
        message.Line(JsonSerializer.Serialize(entry.Data, NotificationJsonContext.Default.JsonElement), Style.Code);
        message.Subject = $"[Rcmd] {entry.Event}" + (entry.Remote is { } remote ? $": {remote}" : "");
        return message;
    }

    private void Line(string text, Style style = Style.Plain) => _lines.Add([(text, style)]);

    private void Line(string a, Style sa, string b, Style sb) => _lines.Add([(a, sa), (b, sb)]);

    private void Line(string a, Style sa, string b, Style sb, string c, Style sc) => _lines.Add([(a, sa), (b, sb), (c, sc)]);

    private static string Html(List<(string Text, Style Style)> line)
    {
        var html = new StringBuilder();
        foreach (var (text, style) in line)
        {
            var escaped = Escape(text);
            html.Append(style switch
            {
                Style.Bold => $"<b>{escaped}</b>",
                Style.Code => $"<code>{escaped}</code>",
                Style.Italic => $"<i>{escaped}</i>",
                _ => escaped,
            });
        }

        return html.ToString();
    }

    /// <summary>Telegram HTML wants &amp;, &lt; and &gt; escaped (quotes may stay); so does email HTML.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static double? Double(NotificationEntry entry, string property) =>
        double.TryParse(entry.Get(property), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string When(string iso) =>
        DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)
            : iso;
}
