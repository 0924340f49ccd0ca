using Rcmd.Failures;

namespace Rcmd.Core.Tests.Failures;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("800ms", 800 * TimeSpan.TicksPerMillisecond)]
    [InlineData("8s", 8 * TimeSpan.TicksPerSecond)]
    [InlineData("1m30s", 90 * TimeSpan.TicksPerSecond)]
    [InlineData("2h", 2 * TimeSpan.TicksPerHour)]
    [InlineData("1.5s", 1500 * TimeSpan.TicksPerMillisecond)]
    [InlineData(".5s", 500 * TimeSpan.TicksPerMillisecond)]
    [InlineData("300us", 300 * TimeSpan.TicksPerMicrosecond)]
    [InlineData("300µs", 300 * TimeSpan.TicksPerMicrosecond)]
    [InlineData("300μs", 300 * TimeSpan.TicksPerMicrosecond)]
    [InlineData("1500ns", 15)]
    [InlineData("1h2m3s4ms", TimeSpan.TicksPerHour + 2 * TimeSpan.TicksPerMinute + 3 * TimeSpan.TicksPerSecond + 4 * TimeSpan.TicksPerMillisecond)]
    [InlineData("0", 0)]
    [InlineData("+5s", 5 * TimeSpan.TicksPerSecond)]
    [InlineData("-5s", -5 * TimeSpan.TicksPerSecond)]
    [InlineData(" 2s ", 2 * TimeSpan.TicksPerSecond)]
    public void TryParse_GoSyntax_Parses(string text, long ticks)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromTicks(ticks), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("5")]
    [InlineData("ms")]
    [InlineData("5 s")]
    [InlineData("5sec")]
    [InlineData("1.2.3s")]
    [InlineData("1d")]
    [InlineData("1h-5m")]
    [InlineData("-")]
    [InlineData("1e3s")]
    [InlineData("99999999999999999999h")]
    public void TryParse_NotGoSyntax_Fails(string text)
    {
        Assert.False(GoDuration.TryParse(text, out _));
    }

    [Fact]
    public void Parse_Invalid_ThrowsWithTheText()
    {
        var ex = Assert.Throws<FormatException>(() => GoDuration.Parse("soon"));

        Assert.Contains("'soon'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(800 * TimeSpan.TicksPerMillisecond, "800ms")]
    [InlineData(90 * TimeSpan.TicksPerSecond, "1m30s")]
    [InlineData(2 * TimeSpan.TicksPerHour, "2h0m0s")]
    [InlineData(1500 * TimeSpan.TicksPerMillisecond, "1.5s")]
    [InlineData(0, "0s")]
    public void Format_LikeGo_RoundTrips(long ticks, string expected)
    {
        var text = GoDuration.Format(TimeSpan.FromTicks(ticks));

        Assert.Equal(expected, text);
        Assert.Equal(TimeSpan.FromTicks(ticks), GoDuration.Parse(text));
    }
}
