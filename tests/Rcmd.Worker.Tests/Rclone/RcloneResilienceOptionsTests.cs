using System.ComponentModel.DataAnnotations;
using Rcmd.Worker.Rclone;

namespace Rcmd.Worker.Tests.Rclone;

public sealed class RcloneResilienceOptionsTests
{
    [Fact]
    public void Defaults_AreThoseOfTheStandardResilienceHandler()
    {
        var options = new RcloneResilienceOptions();

        Assert.Equal(1000, options.ConcurrencyLimit);
        Assert.Equal(0, options.ConcurrencyQueueLimit);
        Assert.Equal(TimeSpan.FromSeconds(30), options.TotalTimeout);
        Assert.Equal(3, options.MaxRetryAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), options.RetryBaseDelay);
        Assert.True(options.UseJitter);
        Assert.True(options.ShouldRetryAfterHeader);
        Assert.Equal(0.1, options.FailureRatio);
        Assert.Equal(TimeSpan.FromSeconds(30), options.SamplingDuration);
        Assert.Equal(100, options.MinimumThroughput);
        Assert.Equal(TimeSpan.FromSeconds(5), options.BreakDuration);
        Assert.Equal(TimeSpan.FromSeconds(10), options.AttemptTimeout);
        Assert.Empty(Validate(options));
    }

    [Fact]
    public void Validate_AttemptTimeoutLongerThanTotal_Invalid()
    {
        var errors = Validate(new RcloneResilienceOptions { AttemptTimeout = TimeSpan.FromSeconds(40), SamplingDuration = TimeSpan.FromMinutes(5) });

        Assert.Contains(errors, e => e.MemberNames.Contains(nameof(RcloneResilienceOptions.AttemptTimeout)));
    }

    [Fact]
    public void Validate_SamplingShorterThanTwoAttempts_Invalid()
    {
        var errors = Validate(new RcloneResilienceOptions { SamplingDuration = TimeSpan.FromSeconds(15) });

        Assert.Contains(errors, e => e.MemberNames.Contains(nameof(RcloneResilienceOptions.SamplingDuration)));
    }

    [Theory]
    [InlineData(nameof(RcloneResilienceOptions.ConcurrencyLimit), 0)]
    [InlineData(nameof(RcloneResilienceOptions.MinimumThroughput), 1)]
    [InlineData(nameof(RcloneResilienceOptions.MaxRetryAttempts), -1)]
    public void Validate_OutOfRange_Invalid(string property, int value)
    {
        var options = new RcloneResilienceOptions();
        typeof(RcloneResilienceOptions).GetProperty(property)!.SetValue(options, value);

        Assert.Contains(Validate(options), e => e.MemberNames.Contains(property));
    }

    internal static List<ValidationResult> Validate(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
