using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using System.ComponentModel.DataAnnotations;

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
        Assert.Empty(Validate(options));
    }

    [Fact]
    public void Validate_HeartbeatNotShorterThanLease_Invalid()
    {
        var options = new WorkerOptions { LeaseDuration = TimeSpan.FromSeconds(5), HeartbeatInterval = TimeSpan.FromSeconds(5) };

        Assert.Contains(Validate(options), e => e.MemberNames.Contains(nameof(WorkerOptions.HeartbeatInterval)));
    }

    [Theory]
    [InlineData("Worker:Concurrency", "0", "Concurrency")]
    [InlineData("Worker:PollInterval", "00:00:00.001", "PollInterval")]
    [InlineData("Rclone:Resilience:AttemptTimeout:Timeout", "00:01:00", "Total request timeout")]
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

    [Fact]
    public void DefaultWorkerId_AspireReplica_IsTheReplicaName()
    {
        Assert.Equal("worker-x7k2q", WorkerConstants.ReplicaName("worker", "service.instance.id=x7k2q"));
        Assert.Equal("worker-x7k2q", WorkerConstants.ReplicaName("worker", "service.name=worker,service.instance.id=worker-x7k2q"));
        Assert.Null(WorkerConstants.ReplicaName("worker", "service.name=worker"));
        Assert.Null(WorkerConstants.ReplicaName("worker", null));
    }

    private static List<ValidationResult> Validate(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
