using Rcmd.AppHost.Prerequisites;

namespace Rcmd.AppHost.Tests.Prerequisites;

public class RcloneVersionTests
{
    [Theory]
    [InlineData("rclone v1.60.1-DEV\n- os/version: debian 12.11 (64 bit)", "1.60.1")]
    [InlineData("rclone v1.68.2\n- os/version: ubuntu", "1.68.2")]
    [InlineData("rclone v1.50", "1.50.0")]
    public void Parse_VersionOutput_ReadsTheFirstLine(string output, string expected)
    {
        Assert.Equal(Version.Parse(expected), RcloneVersion.Parse(output));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Redis server v=7.0.15")]
    [InlineData("rclone version unknown")]
    public void Parse_OtherOutput_IsNull(string output)
    {
        Assert.Null(RcloneVersion.Parse(output));
    }

    [Fact]
    public void Minimum_Is160()
    {
        Assert.True(RcloneVersion.Parse("rclone v1.60.0") >= RcloneVersion.Minimum);
        Assert.True(RcloneVersion.Parse("rclone v1.59.9") < RcloneVersion.Minimum);
    }
}
