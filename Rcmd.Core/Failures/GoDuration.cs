using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Rcmd.Failures;

/// <summary>
/// Durations in Go's <c>time.ParseDuration</c> syntax, the one rclone and the <c>RCLONE_RETRY_*</c> variables use:
/// an optional sign, then one or more decimal numbers each followed by a unit — <c>ns</c>, <c>us</c> (or <c>µs</c>,
/// <c>μs</c>), <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c> — e.g. <c>800ms</c>, <c>1m30s</c>, <c>1.5s</c>, <c>2h</c>.
/// A bare <c>0</c> is allowed; any other number needs a unit. Ticks (100 ns) are the resolution, so <c>150ns</c>
/// rounds down to one tick.
/// </summary>
public static class GoDuration
{
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a Go duration (examples: 800ms, 1m30s, 2h, 1.5s, 300us).");

    public static bool TryParse([NotNullWhen(true)] string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        var negative = false;
        if (s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s == "0")
        {
            return true;
        }

        if (s.Length == 0)
        {
            return false;
        }

        decimal totalNs = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            var number = s[start..i];
            if (number.Length == 0 || number == "." || number.Count(c => c == '.') > 1
                || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            var unitNs = s[unitStart..i] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => -1m,
            };
            if (unitNs < 0)
            {
                return false;
            }

            try
            {
                totalNs += amount * unitNs;
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        var ticks = decimal.Truncate(totalNs / 100m);
        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)(negative ? -ticks : ticks));
        return true;
    }

    /// <summary>Formats a duration the way Go prints one: <c>1h2m3.5s</c>, <c>800ms</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var builder = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            builder.Append('-');
            value = value.Duration();
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            var ms = value.Ticks / (double)TimeSpan.TicksPerMillisecond;
            return ms >= 1
                ? builder.Append(ms.ToString("0.###", CultureInfo.InvariantCulture)).Append("ms").ToString()
                : builder.Append((value.Ticks / 10.0).ToString("0.#", CultureInfo.InvariantCulture)).Append("µs").ToString();
        }

        if (value.TotalHours >= 1)
        {
            builder.Append((long)value.TotalHours).Append('h');
        }

        if (value.TotalMinutes >= 1)
        {
            builder.Append(value.Minutes).Append('m');
        }

        var seconds = value.Seconds + (value.Ticks % TimeSpan.TicksPerSecond) / (double)TimeSpan.TicksPerSecond;
        return builder.Append(seconds.ToString("0.#########", CultureInfo.InvariantCulture)).Append('s').ToString();
    }
}
