namespace Rcmd.Rclone;

/// <summary>
/// Where rclone's remote control (<c>rclone rcd</c>) listens and how to log in. The URL is the service name
/// <c>http://rclone/</c>, resolved by service discovery from Aspire's service reference (<c>services__rclone__http__0</c>);
/// <c>Rclone__Url</c> may name rcd directly. The user comes from <c>Rclone__User</c>, the password from
/// <c>Rclone__Password</c> or, as the AppHost passes it, from the file named by <c>Rclone__PasswordFile</c> (so it
/// appears in no environment listing). The password is never logged or shown.
/// </summary>
public sealed class RcloneOptions
{
    public const string Section = "Rclone";

    /// <summary>The service discovery name of rcd, the default <see cref="Url"/>.</summary>
    public static readonly Uri ServiceUrl = new("http://rclone/");

    /// <summary>Base URL of rcd. Default: <c>http://rclone/</c> (service discovery).</summary>
    public Uri Url { get; set; } = ServiceUrl;

    public string? User { get; set; }

    public string? Password { get; set; }

    /// <summary>A file holding the password (its first line), read at start when <see cref="Password"/> is not set.</summary>
    public string? PasswordFile { get; set; }
}
