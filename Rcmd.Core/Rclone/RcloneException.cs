namespace Rcmd.Rclone;

/// <summary>
/// rcd answered an RC call with an error: its <c>error</c> text and HTTP status, as rclone sent them.
/// The text is rclone's; it never holds the RC password (that travels only in the Authorization header).
/// </summary>
public sealed class RcloneException(string method, int status, string error)
    : Exception($"rclone {method} failed ({status}): {error}")
{
    public string Method { get; } = method;
    public int Status { get; } = status;
    public string Error { get; } = error;
}
