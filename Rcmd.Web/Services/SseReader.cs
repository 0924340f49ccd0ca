using System.Runtime.CompilerServices;
using System.Text;

namespace Rcmd.Web.Services;

/// <summary>One message of a Server-Sent Events stream; a comment line (the Api's heartbeat) comes as <see cref="IsHeartbeat"/>.</summary>
public readonly record struct SseMessage(string EventType, string Data, bool IsHeartbeat);

/// <summary>
/// Reads a <c>text/event-stream</c> as the WHATWG spec has it: <c>event:</c> and <c>data:</c> fields (multi-line data
/// joined with <c>\n</c>), a blank line ends a message, lines starting with <c>:</c> are comments. <c>id:</c> and
/// <c>retry:</c> are read and ignored.
/// </summary>
public static class SseReader
{
    public const string DefaultEventType = "message";

    public static async IAsyncEnumerable<SseMessage> ReadAsync(Stream stream,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        string? eventType = null;
        var data = new StringBuilder();
        var hasData = false;

        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (hasData)
                {
                    yield return new SseMessage(eventType ?? DefaultEventType, data.ToString(), false);
                }

                eventType = null;
                data.Clear();
                hasData = false;
                continue;
            }

            if (line[0] == ':')
            {
                yield return new SseMessage(string.Empty, string.Empty, true);
                continue;
            }

            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "event":
                    eventType = value;
                    break;
                case "data":
                    if (hasData)
                    {
                        data.Append('\n');
                    }

                    data.Append(value);
                    hasData = true;
                    break;
            }
        }
    }
}
