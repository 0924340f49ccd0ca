using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rcmd.Breakers;

namespace Rcmd.Core.Tests.Breakers;

public sealed class BreakerOptionsTests
{
    [Fact]
    public void Defaults_AreTheSeedsNumbers()
    {
        var settings = new BreakerOptions().For("s3prod");

        Assert.True(settings.Enabled);
        Assert.Equal(5, settings.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.BreakDuration);
        Assert.Equal(1, settings.HalfOpenMaxProbes);
        Assert.Equal(3, settings.SuccessThreshold);
        Assert.Equal(TimeSpan.FromSeconds(120), settings.FailureWindow);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.OperationTimeout);
        Assert.Null(settings.Fallback);
        Assert.Equal(BreakerSettings.Default, settings);
    }

    [Fact]
    public void For_RemoteOverrides_WinOverGlobalValues()
    {
        var options = Bind(new()
        {
            ["Breakers:BreakDuration"] = "00:00:10",
            ["Breakers:Remotes:s3prod:FailureThreshold"] = "2",
            ["Breakers:Remotes:s3prod:Fallback"] = "s3replica",
        });

        var s3 = options.For("s3prod");
        var other = options.For("gdrive");

        Assert.Equal(2, s3.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(10), s3.BreakDuration);
        Assert.Equal("s3replica", s3.Fallback);
        Assert.Equal(5, other.FailureThreshold);
        Assert.Null(other.Fallback);
    }

    [Fact]
    public void For_LocalPaths_ExemptUnlessTurnedOn()
    {
        Assert.False(new BreakerOptions().For("local").Enabled);
        Assert.False(new BreakerOptions().For(":local").Enabled);
        Assert.True(new BreakerOptions().For(":webdav").Enabled);

        var on = Bind(new() { ["Breakers:Remotes:local:Enabled"] = "true" });
        Assert.True(on.For("local").Enabled);
    }

    [Fact]
    public void For_BreakersOff_NoRemoteHasOne()
    {
        var off = Bind(new() { ["Breakers:Enabled"] = "false", ["Breakers:Remotes:s3prod:Enabled"] = "true" });

        Assert.False(off.For("s3prod").Enabled);
        Assert.False(off.For(":s3").Enabled);
    }

    [Theory]
    [InlineData("Breakers:FailureThreshold", "0", "FailureThreshold")]
    [InlineData("Breakers:BreakDuration", "00:00:00", "BreakDuration")]
    [InlineData("Breakers:HalfOpenMaxProbes", "0", "HalfOpenMaxProbes")]
    [InlineData("Breakers:Remotes:s3prod:SuccessThreshold", "0", "Breakers:Remotes:s3prod")]
    [InlineData("Breakers:Remotes:s3prod:OperationTimeout", "01:00:00", "Breakers:Remotes:s3prod")]
    [InlineData("Breakers:Remotes:s3prod:Fallback", "s3prod", "names the remote itself")]
    public void ValidateOnStart_BadValue_FailsNamingIt(string key, string value, string expected)
    {
        using var provider = Services(new() { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<BreakerOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxOperationTimeout_LongestOfAnyRemote()
    {
        var options = Bind(new() { ["Breakers:Remotes:slow:OperationTimeout"] = "00:02:00" });

        Assert.Equal(TimeSpan.FromMinutes(2), options.MaxOperationTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), new BreakerOptions().MaxOperationTimeout);
    }

    private static BreakerOptions Bind(Dictionary<string, string?> settings)
    {
        using var provider = Services(settings);
        return provider.GetRequiredService<IOptions<BreakerOptions>>().Value;
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddRcmdBreakers(configuration).BuildServiceProvider();
    }
}
