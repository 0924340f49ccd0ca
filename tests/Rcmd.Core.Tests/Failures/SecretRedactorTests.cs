using Rcmd.Failures;

namespace Rcmd.Core.Tests.Failures;

public sealed class SecretRedactorTests
{
    [Theory]
    // rclone echoes inline connection strings (reproduced: rclone 1.60.1 lsf ":sftp,…,pass=…:")
    [InlineData("Failed to create file system for \":sftp,host=127.0.0.1,user=bob,pass=bX7CbcTVPvgi6_LkJXVPcxW1Zs9TsO08:\": i/o timeout", "bX7CbcTVPvgi6_LkJXVPcxW1Zs9TsO08")]
    [InlineData(":s3,provider=Minio,access_key_id=AKIAIOSFODNN7EXAMPLE,secret_access_key=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY:bucket", "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY")]
    [InlineData(":s3,provider=Minio,access_key_id=AKIAIOSFODNN7EXAMPLE,secret_access_key=x:bucket", "AKIAIOSFODNN7EXAMPLE")]
    [InlineData("Authorization: Bearer ya29.a0AfH6SMBxyzxyzxyzxyzxyz", "a0AfH6SMBxyzxyzxyzxyzxyz")]
    [InlineData("Authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy")]
    [InlineData("Authorization: [AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7]", "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")]
    [InlineData("Get \"https://alice:s3cr3t@dav.example.com/remote.php\": 401", "s3cr3t")]
    [InlineData("Get \"https://ghp_abcdefghijklmnop@git.example.com/\": 401", "ghp_abcdefghijklmnop")]
    [InlineData("{\"password\": \"hunter2\", \"user\": \"bob\"}", "hunter2")]
    [InlineData("[b2]\naccount = 0001234\nkey = K001abcdefghijklmnopqrstuvwxyz\n", "K001abcdefghijklmnopqrstuvwxyz")]
    [InlineData("token = {\"access_token\":\"abc.def\",\"refresh_token\":\"1//0gabcdefghijklmnopqrstuv\"}", "1//0gabcdefghijklmnopqrstuv")]
    [InlineData("GET https://bucket.s3.amazonaws.com/k?X-Amz-Credential=AKIA/x&X-Amz-Signature=abcdef0123456789", "abcdef0123456789")]
    [InlineData("https://acct.blob.core.windows.net/c?sv=2020-02-10&sig=AbC%2Fdef%3D", "AbC%2Fdef%3D")]
    [InlineData("rclone rcd --rc-user admin --rc-pass Zx9secret --rc-addr 127.0.0.1:5572", "Zx9secret")]
    [InlineData("rclone rcd --rc-pass=Zx9secret", "Zx9secret")]
    [InlineData("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U expired", "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAA")]
    [InlineData("client_secret=GOCSPX-abcdef123456&client_id=123.apps", "GOCSPX-abcdef123456")]
    public void Redact_TextWithSecret_SecretIsGone(string text, string secret)
    {
        var redacted = SecretRedactor.Redact(text);

        Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        Assert.Contains(SecretRedactor.Mask, redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("error in ListJSON: directory not found")]
    [InlineData("SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your key and signing method.")]
    [InlineData("dial tcp 127.0.0.1:1: connect: connection refused")]
    [InlineData("googleapi: Error 403: User Rate Limit Exceeded, userRateLimitExceeded")]
    public void Redact_TextWithoutSecret_Unchanged(string text)
    {
        Assert.Equal(text, SecretRedactor.Redact(text));
    }

    [Fact]
    public void Redact_KeepsWhatHelpsTriage()
    {
        var redacted = SecretRedactor.Redact("Failed to create file system for \":sftp,host=10.1.2.3,user=bob,pass=xyz:\": ssh: unable to authenticate");

        Assert.Equal("Failed to create file system for \":sftp,host=10.1.2.3,user=bob,pass=***:\": ssh: unable to authenticate", redacted);
    }

    [Fact]
    public void Redact_UrlUserInfo_KeepsTheUser()
    {
        Assert.Equal("https://alice:***@dav.example.com/x", SecretRedactor.Redact("https://alice:s3cr3t@dav.example.com/x"));
    }

    [Fact]
    public void Redact_NullOrEmpty_IsEmpty()
    {
        Assert.Equal(string.Empty, SecretRedactor.Redact(null));
        Assert.Equal(string.Empty, SecretRedactor.Redact(string.Empty));
    }
}
