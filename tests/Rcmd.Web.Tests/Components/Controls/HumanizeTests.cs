using Rcmd.Web.Components.Controls;

namespace Rcmd.Web.Tests.Components.Controls;

public sealed class HumanizeTests
{
    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(10L * 1024 * 1024, "10.0 MiB")]
    [InlineData(150L * 1024 * 1024 * 1024, "150 GiB")]
    public void Bytes_Value_UsesBinaryUnits(long bytes, string expected) => Assert.Equal(expected, Humanize.Bytes(bytes));

    [Theory]
    [InlineData(null, "—")]
    [InlineData(-1.0, "—")]
    [InlineData(45.0, "45s")]
    [InlineData(185.0, "3m 05s")]
    [InlineData(7440.0, "2h 04m")]
    public void Eta_Seconds_ReadsLikeAClock(double? seconds, string expected) => Assert.Equal(expected, Humanize.Eta(seconds));

    [Fact]
    public void ShortId_LongId_KeepsEightCharacters() => Assert.Equal("01HZX3K9…", Humanize.ShortId("01HZX3K9ABCDEFGH"));
}
