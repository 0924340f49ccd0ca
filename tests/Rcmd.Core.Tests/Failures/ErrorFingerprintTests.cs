using Rcmd.Failures;

namespace Rcmd.Core.Tests.Failures;

public sealed class ErrorFingerprintTests
{
    [Theory]
    // the same failure seen with another port, path, timestamp, host or id hashes the same
    [InlineData(
        "2026/11/22 05:40:37 Failed to create file system for \"sftpdead:a\": NewFs: couldn't connect SSH: dial tcp 127.0.0.1:59525: connect: connection refused",
        "2026/11/23 11:02:09 Failed to create file system for \"sftpdead:b\": NewFs: couldn't connect SSH: dial tcp 10.0.0.7:22: connect: connection refused")]
    [InlineData(
        "Failed to copy: open /data/in/2024/report.pdf: no such file or directory",
        "Failed to copy: open /srv/other/file.txt: no such file or directory")]
    [InlineData(
        "googleapi: Error 404: File not found: 1xAbCdEfGh12345678IjKl., notFound",
        "googleapi: Error 404: File not found: 9zYxWvUt98765432SrQp., notFound")]
    [InlineData(
        "Get \"https://s3.eu-west-1.example.com/bucket?list-type=2\": EOF",
        "Get \"https://minio.local:9000/other?list-type=2\": EOF")]
    [InlineData(
        "job 4f9c2b1e-7d3a-4c55-9b1a-0e2f3a4b5c6d failed after 3 attempts",
        "job 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d failed after 12 attempts")]
    [InlineData(
        "Attempt 1/3 failed with 1 errors and: SlowDown",
        "attempt 2/3 FAILED with 4 errors and: slowdown")]
    public void Hash_SameFailureOtherDetails_Equal(string a, string b)
    {
        Assert.Equal(ErrorFingerprint.Hash(a), ErrorFingerprint.Hash(b));
    }

    [Theory]
    [InlineData("error in ListJSON: directory not found", "error in ListJSON: object not found")]
    [InlineData("dial tcp 127.0.0.1:1: connect: connection refused", "dial tcp 127.0.0.1:1: i/o timeout")]
    [InlineData("googleapi: Error 403: insufficientFilePermissions", "googleapi: Error 403: numChildrenInNonRootLimitExceeded")]
    public void Hash_DifferentFailures_Differ(string a, string b)
    {
        Assert.NotEqual(ErrorFingerprint.Hash(a), ErrorFingerprint.Hash(b));
    }

    [Fact]
    public void Hash_IsStable16LowercaseHexDigits()
    {
        var hash = ErrorFingerprint.Hash("context deadline exceeded");

        Assert.Matches("^[0-9a-f]{16}$", hash);
        Assert.Equal(hash, ErrorFingerprint.Hash("context deadline exceeded"));
    }

    [Fact]
    public void Normalize_ReplacesVariablePartsAndRedacts()
    {
        var normalized = ErrorFingerprint.Normalize(
            "2026/11/22 05:40:29 ERROR : Failed to create file system for \":sftp,host=127.0.0.1,port=42417,pass=hunter2:\": dial tcp 127.0.0.1:42417: connect: connection refused");

        Assert.Equal("failed to create file system for \"<q>\": dial tcp <ip>: connect: connection refused", normalized);
        Assert.DoesNotContain("hunter2", normalized, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_Blank_IsEmpty()
    {
        Assert.Equal(string.Empty, ErrorFingerprint.Normalize("  \n "));
    }
}
