using Rcmd.AppHost.Prerequisites;
using Rcmd.Testing;

namespace Rcmd.AppHost.Tests.Prerequisites;

/// <summary>The checks in process, with fake programs in a temp directory.</summary>
public sealed class PrerequisiteCheckerTests : IDisposable
{
    private readonly TempDirectory _directory = new("prereq");
    private readonly Dictionary<string, string?> _environment = new();

    public PrerequisiteCheckerTests()
    {
        _environment["PATH"] = _directory.Path;
        Script("redis-server", "echo 'Redis server v=7.0.15'");
        Script("rclone", "echo 'rclone v1.60.1-DEV'");
        Script("dotnet", "exit 0");
    }

    [Fact]
    public void Check_EverythingThere_FindsBothPrograms()
    {
        var tools = Checker().Check();

        Assert.Equal(_directory.Combine("redis-server"), tools.RedisServer);
        Assert.Equal(_directory.Combine("rclone"), tools.Rclone);
    }

    [Fact]
    public void Check_NoRcloneOnPath_SaysHowToInstallIt()
    {
        File.Delete(_directory.Combine("rclone"));

        var error = Assert.Throws<PrerequisiteException>(() => Checker().Check());

        Assert.Equal("rclone not found — install it with: sudo apt-get install -y rclone (or set RCLONE_PATH)", error.Message);
    }

    [Fact]
    public void Check_RedisServerPathToNothing_NamesTheVariable()
    {
        _environment["REDIS_SERVER_PATH"] = "/nonexistent/redis-server";

        var error = Assert.Throws<PrerequisiteException>(() => Checker().Check());

        Assert.Equal("redis-server not found at REDIS_SERVER_PATH=/nonexistent/redis-server — install it with: "
            + "sudo apt-get install -y redis-server (or fix REDIS_SERVER_PATH)", error.Message);
    }

    [Fact]
    public void Check_OldRclone_SaysItIsTooOld()
    {
        Script("rclone", "echo 'rclone v1.59.2'");

        var error = Assert.Throws<PrerequisiteException>(() => Checker().Check());

        Assert.StartsWith("rclone v1.59.2 is too old, Rcmd needs v1.60 or newer — install it with: sudo apt-get install -y rclone", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NotRclone_SaysItCannotReadTheVersion()
    {
        Script("rclone", "echo hello");

        var error = Assert.Throws<PrerequisiteException>(() => Checker().Check());

        Assert.Contains("cannot read rclone's version", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_EveryProblem_IsOneLine()
    {
        File.Delete(_directory.Combine("rclone"));
        File.Delete(_directory.Combine("redis-server"));

        var error = Assert.Throws<PrerequisiteException>(() => Checker().Check());

        Assert.Equal(2, error.Message.Split('\n').Length);
        Assert.All(error.Message.Split('\n').Skip(1), line => Assert.StartsWith("rcmd: ", line, StringComparison.Ordinal));
    }

    public void Dispose() => _directory.Dispose();

    private PrerequisiteChecker Checker() => new(name => _environment.GetValueOrDefault(name));

    private void Script(string name, string body)
    {
        var path = _directory.Combine(name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
