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

    /// <summary>
    /// Set on a synchronous call that does the work itself (a batch item's <c>operations/copyfile</c>, a listing): it
    /// runs as long as the transfer takes, so no attempt timeout may cut it, and it may have reached rcd, so it is never
    /// sent twice. Resilience handlers pass it straight through; the caller classifies and retries the item.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> LongRunning = new("Rcmd.Rclone.LongRunning");

    public static bool IsLongRunning(this HttpRequestMessage request) =>
        request.Options.TryGetValue(LongRunning, out var longRunning) && longRunning;

    public static bool IsJobStart(this HttpRequestMessage request) =>
        request.Options.TryGetValue(StartsJob, out var startsJob) && startsJob;
}
