namespace Rcmd.Rclone;

/// <summary>
/// Marks on the <see cref="HttpRequestMessage"/>s <see cref="RcloneClient"/> sends, for the handlers between it and rcd.
/// </summary>
public static class RcloneRequest
{
    /// <summary>
    /// Set on a request that starts work in rcd (an RC call with <c>_async</c>). Sending it twice may start the
    /// transfer twice, so a resilience handler must not retry it once it may have reached rcd.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> StartsJob = new("Rcmd.Rclone.StartsJob");

    public static bool IsJobStart(this HttpRequestMessage request) =>
        request.Options.TryGetValue(StartsJob, out var startsJob) && startsJob;
}
