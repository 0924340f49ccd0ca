using System.ComponentModel.DataAnnotations;

namespace Rcmd.Rclone;

/// <summary>
/// Where rclone's remote control (<c>rclone rcd</c>) listens and how to log in. The URL follows Aspire's service
/// reference convention (<c>services__rclone__http__0</c>); user and password come from <c>Rclone__User</c> and
/// <c>Rclone__Password</c>, which the AppHost generates. The password is never logged or shown.
/// </summary>
public sealed class RcloneOptions
{
    public const string Section = "Rclone";

    /// <summary>Base URL of rcd, e.g. <c>http://127.0.0.1:5572/</c>.</summary>
    [Required]
    public Uri? Url { get; set; }

    public string? User { get; set; }

    public string? Password { get; set; }
}
