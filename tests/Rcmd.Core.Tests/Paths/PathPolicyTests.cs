using Microsoft.Extensions.Options;
using Rcmd.Batches;
using Rcmd.Paths;

namespace Rcmd.Core.Tests.Paths;

/// <summary>The path policy on a real directory tree with real symbolic links (a temp directory per test class).</summary>
public sealed class PathPolicyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rcmd-paths-").FullName;

    private string Data => Path.Combine(_root, "data");
    private string Allowed => Path.Combine(_root, "allowed");
    private string Elsewhere => Path.Combine(_root, "elsewhere");

    public PathPolicyTests()
    {
        Directory.CreateDirectory(Path.Combine(Data, "redis"));
        Directory.CreateDirectory(Path.Combine(Allowed, "in"));
        Directory.CreateDirectory(Elsewhere);
        Directory.CreateSymbolicLink(Path.Combine(Allowed, "to-data"), Data);
        Directory.CreateSymbolicLink(Path.Combine(Allowed, "to-elsewhere"), "../elsewhere"); // relative target
        Directory.CreateSymbolicLink(Path.Combine(Elsewhere, "to-allowed"), Allowed);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private PathPolicy Policy(bool server = false, Action<PathPolicyOptions>? configure = null)
    {
        var options = new PathPolicyOptions { DataDirectory = Data, AllowListsApply = server };
        configure?.Invoke(options);
        return new PathPolicy(Options.Create(options));
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("redis/appendonly.aof")]
    [InlineData("./x")]
    [InlineData(":local:relative/dir")]
    public void Check_RelativeLocalPath_InvalidInBothModes(string path)
    {
        foreach (var policy in new[] { Policy(), Policy(server: true, o => o.LocalRoots.Add("/")) })
        {
            var refusal = Assert.Single(policy.Check(path, "Source", "admin"));
            Assert.Equal(PathRefusalKind.Invalid, refusal.Kind);
            Assert.Contains("relative local path", refusal.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/srv/in/../../etc")]
    [InlineData("s3prod:bucket/../other")]
    [InlineData(":local:/srv/..")]
    public void Check_DotDotSegment_Invalid(string path)
    {
        var refusal = Assert.Single(Policy().Check(path, "Destination", null));

        Assert.Equal(PathRefusalKind.Invalid, refusal.Kind);
        Assert.StartsWith("Destination has a '..' segment", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_DataDirectoryAndBelow_DeniedInLocalMode()
    {
        var policy = Policy();

        foreach (var path in new[] { Data, Data + "/", Path.Combine(Data, "redis", "appendonly.aof"), ":local:" + Data, Data + "//redis/./x" })
        {
            var refusal = Assert.Single(policy.Check(path, "Source", null));
            Assert.Equal(PathRefusalKind.Denied, refusal.Kind);
            Assert.Contains("Rcmd's data directory", refusal.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Check_SymlinkIntoDataDirectory_Denied()
    {
        var refusal = Assert.Single(Policy().Check(Path.Combine(Allowed, "to-data", "redis"), "Source", null));

        Assert.Equal(PathRefusalKind.Denied, refusal.Kind);
    }

    [Fact]
    public void Check_InlineBackendOptionPointingIntoDataDirectory_Denied()
    {
        var refusal = Assert.Single(Policy().Check($":alias,remote={Data}/redis:", "Source", null));

        Assert.Equal(PathRefusalKind.Denied, refusal.Kind);
        Assert.StartsWith("Source's inline option", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_LocalMode_AnyAbsolutePathAndRemoteAllowed()
    {
        var policy = Policy();

        Assert.Empty(policy.Check(Path.Combine(Elsewhere, "x"), "Source", null));
        Assert.Empty(policy.Check("/", "Source", null));
        Assert.Empty(policy.Check("s3prod:bucket/x", "Source", null));
        Assert.Empty(policy.Check(":s3:bucket", "Source", null));
        Assert.Empty(policy.Check(_root, "Source", null)); // the data directory's parent is not the data directory
    }

    [Fact]
    public void Check_ServerMode_LocalPathsOnlyUnderTheRolesRoots()
    {
        var policy = Policy(server: true, o =>
        {
            o.LocalRoots.Add(Allowed + "/");
            o.Roles["admin"] = new PathRoleOptions { LocalRoots = [Elsewhere] };
        });

        Assert.Empty(policy.Check(Path.Combine(Allowed, "in", "a.txt"), "Source", "operator"));
        Assert.Empty(policy.Check(Allowed, "Source", "operator"));
        Assert.Empty(policy.Check(Path.Combine(Elsewhere, "x"), "Source", "admin"));
        var outside = Assert.Single(policy.Check(Path.Combine(Elsewhere, "x"), "Source", "operator"));
        Assert.Equal(PathRefusalKind.Denied, outside.Kind);
        Assert.Contains($"is outside the local roots role 'operator' may use (allowed: {Allowed}/)", outside.Message, StringComparison.Ordinal);
        Assert.Single(policy.Check(Allowed + "-sibling/x", "Source", "operator")); // a prefix is not a parent
    }

    [Fact]
    public void Check_ServerMode_SymlinkOutOfAnAllowedRoot_DeniedAndSaysSo()
    {
        var policy = Policy(server: true, o => o.LocalRoots.Add(Allowed));

        var refusal = Assert.Single(policy.Check(Path.Combine(Allowed, "to-elsewhere", "secret.txt"), "Source", "operator"));

        Assert.Equal(PathRefusalKind.Denied, refusal.Kind);
        Assert.Contains($"leads through a symbolic link to '{Elsewhere}/secret.txt'", refusal.Message, StringComparison.Ordinal);
        Assert.Empty(policy.Check(Path.Combine(Elsewhere, "to-allowed", "in"), "Source", "operator")); // a link into a root is fine
    }

    [Fact]
    public void Check_ServerMode_RemotesOnlyFromTheList()
    {
        var policy = Policy(server: true, o =>
        {
            o.Remotes.Add("s3prod");
            o.Roles["admin"] = new PathRoleOptions { Remotes = ["*"] };
        });

        Assert.Empty(policy.Check("s3prod:bucket/x", "Source", "viewer"));
        Assert.Empty(policy.Check("gdrive:x", "Source", "admin"));
        Assert.Empty(policy.Check(":s3:bucket", "Source", "admin"));
        var refusal = Assert.Single(policy.Check("gdrive:x", "Destination", "operator"));
        Assert.Equal(PathRefusalKind.Denied, refusal.Kind);
        Assert.Contains("remote 'gdrive', which role 'operator' may not use (allowed: s3prod)", refusal.Message, StringComparison.Ordinal);
        Assert.Single(policy.Check("s3prod:x", "Source", role: null)); // no role, no rights
        Assert.Single(policy.Check("/tmp/x", "Source", "admin")); // '*' is remotes only, not the local disk
    }

    [Fact]
    public void Check_ServerModeWithNothingAllowed_RefusesAndSaysHowToAllow()
    {
        var refusal = Assert.Single(Policy(server: true).Check("s3prod:x", "Source", "operator"));

        Assert.Contains("none is allowed", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("Rcmd__Paths__Remotes__N", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckAlwaysRules_IgnoresAllowLists()
    {
        var policy = Policy(server: true);

        Assert.Empty(policy.CheckAlwaysRules("gdrive:x", "Source"));
        Assert.Empty(policy.CheckAlwaysRules(Path.Combine(Elsewhere, "x"), "Source"));
        Assert.Single(policy.CheckAlwaysRules(Path.Combine(Data, "x"), "Source"));
        Assert.Single(policy.CheckAlwaysRules("relative", "Source"));
    }

    [Fact]
    public void Options_BadRootsAndRemotes_NamedOneLineEach()
    {
        var options = new PathPolicyOptions { LocalRoots = ["relative", "/srv/../etc"], Remotes = ["s3/bucket", ":"] };
        options.Roles["operator"] = new PathRoleOptions { LocalRoots = ["x"] };

        var problems = options.Problems().ToList();

        Assert.Equal(5, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Rcmd:Paths:Roles:operator:LocalRoots has 'x'", StringComparison.Ordinal));
        Assert.Empty(new PathPolicyOptions { LocalRoots = ["/srv"], Remotes = ["*", "s3prod", ":s3"] }.Problems());
    }

    [Fact]
    public void BatchValidator_OneBadItemAmongAThousand_RefusedByNameAsAccessDenied()
    {
        var validator = new BatchValidator(Policy(), role: null);

        for (var i = 0; i < 1000; i++)
        {
            var source = i == 637 ? Path.Combine(Data, "redis", "appendonly.aof") : Path.Combine(Allowed, "in", $"f{i}.txt");
            validator.CheckItem(i, new BatchItemRequest { Op = "copyfile", Source = source, Destination = $"s3prod:b/f{i}.txt" });
        }

        Assert.False(validator.IsValid);
        Assert.True(validator.AccessDenied);
        Assert.Equal(["items[637].source"], validator.Errors.Keys);
    }

    [Fact]
    public void BatchValidator_RelativeDirectoryPair_InvalidNotDenied()
    {
        var validator = new BatchValidator(Policy(), role: null);

        validator.CheckDirectory(new BatchDirectory { Source = "in", Destination = "s3prod:b" }, null);

        Assert.False(validator.IsValid);
        Assert.False(validator.AccessDenied);
        Assert.Contains("relative local path", Assert.Single(validator.Errors["directory.source"]), StringComparison.Ordinal);
    }
}
