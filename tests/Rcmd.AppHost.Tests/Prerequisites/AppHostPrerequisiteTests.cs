using Rcmd.AppHost.Tests.Support;
using Rcmd.Testing;

namespace Rcmd.AppHost.Tests.Prerequisites;

/// <summary>The built AppHost as a process: a missing or old prerequisite is one line on stderr and exit code 2.</summary>
public sealed class AppHostPrerequisiteTests : IDisposable
{
    private readonly TempDirectory _directory = new("apphost-prereq");

    [Fact]
    public async Task Run_RclonePathToNothing_ExitsWith2AndOneLine()
    {
        var missing = _directory.Combine("no-such-rclone");

        var (exitCode, stdout, stderr) = await RunAsync(new Dictionary<string, string?> { ["RCLONE_PATH"] = missing });

        Assert.Equal(2, exitCode);
        Assert.Equal($"rcmd: rclone not found at RCLONE_PATH={missing} — install it with: sudo apt-get install -y rclone (or fix RCLONE_PATH)",
            Assert.Single(Lines(stderr)));
        Assert.Empty(Lines(stdout));
    }

    [Fact]
    public async Task Run_OldRclone_ExitsWith2AndOneLine()
    {
        var fake = _directory.Combine("rclone");
        await File.WriteAllTextAsync(fake, "#!/bin/sh\necho 'rclone v1.50.0'\necho '- os/version: fake'\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var (exitCode, stdout, stderr) = await RunAsync(new Dictionary<string, string?> { ["RCLONE_PATH"] = fake });

        Assert.Equal(2, exitCode);
        var line = Assert.Single(Lines(stderr));
        Assert.StartsWith("rcmd: rclone v1.50.0 is too old, Rcmd needs v1.60 or newer — install it with: sudo apt-get install -y rclone", line,
            StringComparison.Ordinal);
        Assert.Empty(Lines(stdout));
    }

    [Fact]
    public async Task Run_BadOption_ExitsWith2AndOneLine()
    {
        var (exitCode, _, stderr) = await RunAsync(new Dictionary<string, string?>(), "--workers", "many");

        Assert.Equal(2, exitCode);
        Assert.Equal("rcmd: --workers must be a number from 0 to 16, not 'many'", Assert.Single(Lines(stderr)));
    }

    public void Dispose() => _directory.Dispose();

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IDictionary<string, string?> environment, params string[] args)
    {
        using var host = AppHostProcess.Start(["--data-dir", _directory.Combine("data"), .. args], environment);
        Assert.True(await host.WaitForExitAsync(TimeSpan.FromSeconds(60)), "The AppHost did not exit:\n" + host.Output);
        return (host.ExitCode, host.StandardOutput, host.StandardError);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
