namespace Rcmd.AppHost.Tests;

public class AppHostOptionsTests
{
    [Fact]
    public void Parse_NoArguments_UsesDefaults()
    {
        var options = AppHostOptions.Parse([], _ => null);

        Assert.Null(options.Error);
        Assert.Null(options.DataDirectory);
        Assert.Null(options.WebPort);
        Assert.Equal(2, options.Workers);
        Assert.True(options.Web);
        Assert.False(options.Auth);
    }

    [Fact]
    public void Parse_Auth_TurnsOnServerMode()
    {
        var options = AppHostOptions.Parse(["--auth"], _ => null);

        Assert.Null(options.Error);
        Assert.True(options.Auth);
        Assert.NotNull(AppHostOptions.Parse(["--auth=yes"], _ => null).Error);
    }

    [Fact]
    public void Parse_AllOptions_AreRead()
    {
        var options = AppHostOptions.Parse(["--data-dir", "/tmp/x", "--web-port=5999", "--workers", "3", "--no-web"], _ => null);

        Assert.Null(options.Error);
        Assert.Equal("/tmp/x", options.DataDirectory);
        Assert.Equal(5999, options.WebPort);
        Assert.Equal(3, options.Workers);
        Assert.False(options.Web);
    }

    [Fact]
    public void Parse_DataDirectoryVariable_IsTheDefaultAndTheOptionWins()
    {
        Func<string, string?> environment = name => name == "RCMD_DATA_DIR" ? "/from/env" : null;

        Assert.Equal("/from/env", AppHostOptions.Parse([], environment).DataDirectory);
        Assert.Equal("/from/arg", AppHostOptions.Parse(["--data-dir", "/from/arg"], environment).DataDirectory);
    }

    [Theory]
    [InlineData("--workers", "17", "--workers must be a number from 0 to 16, not '17'")]
    [InlineData("--workers", "-1", "--workers must be a number from 0 to 16, not '-1'")]
    [InlineData("--web-port", "70000", "--web-port must be a port number from 1 to 65535, not '70000'")]
    [InlineData("--web-port", "http", "--web-port must be a port number from 1 to 65535, not 'http'")]
    [InlineData("--bogus", "1", "unknown option '--bogus' (see --help)")]
    public void Parse_BadArgument_KeepsOneLineError(string name, string value, string error)
    {
        Assert.Equal(error, AppHostOptions.Parse([name, value], _ => null).Error);
    }

    [Fact]
    public void Parse_OptionWithoutValue_SaysSo()
    {
        Assert.Equal("--data-dir needs a value (see --help)", AppHostOptions.Parse(["--data-dir"], _ => null).Error);
    }
}
