using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rcmd.Worker.Tests.Rclone;

namespace Rcmd.Worker.Tests;

public sealed class WorkerOptionsTests
{
    [Fact]
    public void Defaults_AsDocumented()
    {
        var options = new WorkerOptions();

        Assert.Equal(4, options.Concurrency);
        Assert.Equal(TimeSpan.FromSeconds(30), options.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(10), options.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.PollInterval);
        Assert.Equal($"{Environment.MachineName}-{Environment.ProcessId}", options.WorkerId);
        Assert.Empty(RcloneResilienceOptionsTests.Validate(options));
    }

    [Fact]
    public void Validate_HeartbeatNotShorterThanLease_Invalid()
    {
        var options = new WorkerOptions { LeaseDuration = TimeSpan.FromSeconds(5), HeartbeatInterval = TimeSpan.FromSeconds(5) };

        Assert.Contains(RcloneResilienceOptionsTests.Validate(options), e => e.MemberNames.Contains(nameof(WorkerOptions.HeartbeatInterval)));
    }

    [Theory]
    [InlineData("Worker:Concurrency", "0", "Concurrency")]
    [InlineData("Worker:PollInterval", "00:00:00.001", "PollInterval")]
    [InlineData("Rclone:Resilience:AttemptTimeout", "00:01:00", "AttemptTimeout")]
    public async Task AddWorkerServices_InvalidSetting_HostStartFailsNamingIt(string key, string value, string named)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = "127.0.0.1:1",
            ["services:rclone:http:0"] = "http://127.0.0.1:9/",
            [key] = value,
        });
        builder.AddWorkerServices();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
