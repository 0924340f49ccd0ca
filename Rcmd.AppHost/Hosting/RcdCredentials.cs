using System.Security.Cryptography;
using System.Text;

namespace Rcmd.AppHost;

/// <summary>
/// rcd's login for one run: user <c>rcmd</c> and 32 random hex digits. The password travels by file, not by
/// environment — the Aspire dashboard shows every resource's environment (masked, one click from plain) — and is never
/// printed: rcd reads an htpasswd file (<c>--rc-htpasswd</c>, a SHA-1 entry, loopback only) and the services read the
/// password from <c>Rclone__PasswordFile</c>. Both files are mode 600 under <c>{data}/run</c> and rewritten each run.
/// </summary>
internal sealed class RcdCredentials
{
    public const string User = "rcmd";

    private RcdCredentials(string passwordFile, string htpasswdFile)
    {
        PasswordFile = passwordFile;
        HtpasswdFile = htpasswdFile;
    }

    public string PasswordFile { get; }

    public string HtpasswdFile { get; }

    public static RcdCredentials Create(string runDirectory)
    {
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var hash = Convert.ToBase64String(SHA1.HashData(Encoding.UTF8.GetBytes(password)));
        var credentials = new RcdCredentials(Path.Combine(runDirectory, "rclone-rc.pass"), Path.Combine(runDirectory, "rclone-rc.htpasswd"));
        WritePrivate(credentials.PasswordFile, password + "\n");
        WritePrivate(credentials.HtpasswdFile, $"{User}:{{SHA}}{hash}\n");
        return credentials;
    }

    private static void WritePrivate(string path, string content)
    {
        File.Delete(path);
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        stream.Write(Encoding.UTF8.GetBytes(content));
    }
}
