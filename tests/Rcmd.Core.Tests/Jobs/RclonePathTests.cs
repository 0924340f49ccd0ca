using Rcmd.Jobs;

namespace Rcmd.Core.Tests.Jobs;

public sealed class RclonePathTests
{
    [Theory]
    [InlineData("s3:b/d/f.txt", "s3:b/d", "f.txt")]
    [InlineData("s3:f.txt", "s3:", "f.txt")]
    [InlineData("s3prod:bucket/key", "s3prod:bucket", "key")]
    [InlineData("/data/in/a.txt", "/data/in", "a.txt")]
    [InlineData("/a.txt", "/", "a.txt")]
    [InlineData(":s3,region=x:bucket/key", ":s3,region=x:bucket", "key")]
    [InlineData(":local:/tmp/x/y.bin", ":local:/tmp/x", "y.bin")]
    [InlineData("my remote:dir with space/file name.txt", "my remote:dir with space", "file name.txt")]
    public void SplitFile_FilePath_FsAndRemote(string path, string fs, string remote)
    {
        Assert.Equal(new RclonePath(fs, remote), RclonePath.SplitFile(path));
    }

    [Theory]
    [InlineData("s3prod:bucket/key", "s3prod")]
    [InlineData("s3prod:", "s3prod")]
    [InlineData(":s3,region=x:bucket/key", ":s3")]
    [InlineData(":s3:bucket", ":s3")]
    [InlineData(":sftp,host=h,user=u:dir", ":sftp")]
    [InlineData("/data/in", "local")]
    [InlineData("./relative", "local")]
    [InlineData("relative/dir", "local")]
    public void RemoteName_AnyPath_NameOfTheRemote(string path, string expected)
    {
        Assert.Equal(expected, RclonePath.RemoteName(path));
    }

    [Theory]
    [InlineData("s3:b/f.txt", true)]
    [InlineData("/data/f", true)]
    [InlineData(":s3,region=x:bucket/key", true)]
    [InlineData("s3:", false)]
    [InlineData("s3:b/dir/", false)]
    [InlineData("/data/dir/", false)]
    [InlineData(":s3,region=x:", false)]
    public void NamesFile_Path_WhetherItEndsInAName(string path, bool expected)
    {
        Assert.Equal(expected, RclonePath.NamesFile(path));
    }

    [Theory]
    [InlineData("/data/in/", "/data/in")]
    [InlineData("s3:b/", "s3:b")]
    [InlineData("/", "/")]
    [InlineData("s3:", "s3:")]
    public void Normalize_TrailingSlash_Dropped(string path, string expected)
    {
        Assert.Equal(expected, RclonePath.Normalize(path));
    }
}
