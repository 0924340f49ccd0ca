using System.Text;
using Rcmd.Failures;
using Rcmd.Testing;

namespace Rcmd.Core.Tests.Failures;

public sealed class UnknownErrorCaptureTests : IDisposable
{
    private readonly TempDirectory _data = new("capture");
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void FromEnvironment_FlagAndDataDir_ResolveTheFolder()
    {
        var env = new Dictionary<string, string?>
        {
            [UnknownErrorCaptureOptions.EnabledVariable] = "true",
            [UnknownErrorCaptureOptions.DataDirectoryVariable] = _data.Path,
        };

        var options = UnknownErrorCaptureOptions.FromEnvironment(name => env.GetValueOrDefault(name));

        Assert.True(options.Enabled);
        Assert.Equal(Path.Combine(_data.Path, "logs", "rcloneerrors", "unknown"), options.Directory);
        Assert.Equal(1000, options.MaxFiles);
        Assert.Equal(8192, options.MaxFileBytes);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("TRUE", true)]
    [InlineData("1", true)]
    [InlineData("yes", true)]
    public void FromEnvironment_Flag_ParsedLeniently(string? value, bool expected)
    {
        var options = UnknownErrorCaptureOptions.FromEnvironment(name => name == UnknownErrorCaptureOptions.EnabledVariable ? value : null);

        Assert.Equal(expected, options.Enabled);
    }

    [Fact]
    public void Capture_NewUnknown_WritesOneRedactedFileNamedByHash()
    {
        var capture = Create();
        const string message = "Failed to create file system for \":weird,pass=hunter2:\": the flux capacitor is out of alignment";
        var classification = FailureClassifier.Default.Classify(message, 500);

        var result = capture.Capture(classification, message, 500, "job 42 sync/copy");

        Assert.Equal(CaptureResult.Written, result);
        var file = Assert.Single(Directory.GetFiles(capture.Options.Directory, "*.txt"));
        Assert.Equal(ErrorFingerprint.Hash(message) + ".txt", Path.GetFileName(file));
        var text = File.ReadAllText(file);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.Contains("the flux capacitor is out of alignment", text, StringComparison.Ordinal);
        Assert.Contains("captured_at: 2026-01-02T03:04:05.0000000+00:00", text, StringComparison.Ordinal);
        Assert.Contains("status: 500", text, StringComparison.Ordinal);
        Assert.Contains("origin: job 42 sync/copy", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Capture_SameFailureOtherDetails_WrittenOnce()
    {
        var capture = Create();

        var first = CaptureText(capture, "frobnicate failed at /data/a/b.txt after 12 tries (port 4242)");
        var second = CaptureText(capture, "frobnicate failed at /srv/other.bin after 3 tries (port 80)");

        Assert.Equal(CaptureResult.Written, first);
        Assert.Equal(CaptureResult.Duplicate, second);
        Assert.Single(Directory.GetFiles(capture.Options.Directory, "*.txt"));
    }

    [Fact]
    public void Capture_FileFromAnotherProcess_IsADuplicate()
    {
        const string message = "frobnicate failed: quantum state collapsed";
        var first = Create();
        Assert.Equal(CaptureResult.Written, CaptureText(first, message));

        var second = Create(); // a second Worker, fresh memory, same folder

        Assert.Equal(CaptureResult.Duplicate, CaptureText(second, message));
    }

    [Fact]
    public void Capture_MaxFilesReached_DropsNewOnes()
    {
        var capture = Create(maxFiles: 3);

        var results = Enumerable.Range(0, 5).Select(i => CaptureText(capture, $"unrecognised failure kind {(char)('a' + i)}x{(char)('k' + i)}")).ToList();

        Assert.Equal([CaptureResult.Written, CaptureResult.Written, CaptureResult.Written, CaptureResult.LimitReached, CaptureResult.LimitReached], results);
        Assert.Equal(3, Directory.GetFiles(capture.Options.Directory, "*.txt").Length);
    }

    [Fact]
    public void Capture_LongText_CutToMaxFileBytes()
    {
        var capture = Create(maxFileBytes: 1024);
        var message = "mystery failure: " + string.Concat(Enumerable.Repeat("ünïcødé ", 2000));

        Assert.Equal(CaptureResult.Written, CaptureText(capture, message));

        var file = Assert.Single(Directory.GetFiles(capture.Options.Directory, "*.txt"));
        var bytes = File.ReadAllBytes(file);
        Assert.True(bytes.Length <= 1024, $"file has {bytes.Length} bytes");
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); // not cut inside a character
        Assert.EndsWith("[truncated]\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Capture_KnownCode_NotWritten()
    {
        var capture = Create();
        var classification = FailureClassifier.Default.Classify("directory not found", 404);

        Assert.Equal(CaptureResult.NotUnknown, capture.Capture(classification, "directory not found", 404));
        Assert.False(Directory.Exists(capture.Options.Directory) && Directory.EnumerateFiles(capture.Options.Directory).Any());
    }

    [Fact]
    public void Capture_Disabled_WritesNothing()
    {
        var capture = new UnknownErrorCapture(new UnknownErrorCaptureOptions { Enabled = false, Directory = _data.Combine("off") }, _time);

        Assert.Equal(CaptureResult.Disabled, CaptureText(capture, "mystery"));
        Assert.False(Directory.Exists(_data.Combine("off")));
    }

    [Fact]
    public void Capture_ManyThreadsSameText_OneFile()
    {
        var capture = Create();

        var results = Enumerable.Range(0, 32).AsParallel().Select(_ => CaptureText(capture, "concurrent mystery failure")).ToList();

        Assert.Equal(1, results.Count(r => r == CaptureResult.Written));
        Assert.Single(Directory.GetFiles(capture.Options.Directory, "*.txt"));
        Assert.Empty(Directory.GetFiles(capture.Options.Directory, "*.tmp"));
    }

    private UnknownErrorCapture Create(int maxFiles = 1000, int maxFileBytes = 8192) =>
        new(new UnknownErrorCaptureOptions
        {
            Enabled = true,
            Directory = UnknownErrorCaptureOptions.DefaultDirectory(_data.Path),
            MaxFiles = maxFiles,
            MaxFileBytes = maxFileBytes,
        }, _time);

    private static CaptureResult CaptureText(UnknownErrorCapture capture, string message) =>
        capture.Capture(FailureClassifier.Default.Classify(message), message);
}
