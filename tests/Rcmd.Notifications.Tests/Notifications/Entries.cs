
namespace Rcmd.Notifications.Tests.Notifications;

/// <summary>Notification entries as the stream hands them out.</summary>
public static class Entries
{
    public static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    public static NotificationEntry Make(string notificationEvent, string dataJson, string id = "1767323045678-0", string? remote = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["event"] = notificationEvent,
            ["at"] = At.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["data"] = dataJson,
        };
        if (remote is not null)
        {
            fields["remote"] = remote;
        }

        return NotificationEntry.Parse(id, fields)!;
    }

    public static NotificationEntry JobFailed(string id = "1767323045678-0", string remote = "s3prod") => Make(NotificationTypes.JobFailed, $$"""
        {"jobId":"j-42","type":"copy","source":"{{remote}}:bucket/in","destination":"/data/<out>","remote":"{{remote}}","destinationRemote":"local",
         "state":"failed","attempt":3,"durationMs":61000,"errorCode":"network_error","error":"read: connection reset by peer & gone",
         "suggestion":"Check the network."}
        """, id);

    public static NotificationEntry JobCompleted(string id = "1767323045678-1") => Make(NotificationTypes.JobCompleted, """
        {"jobId":"j-7","type":"sync","source":"/data/a","destination":"gcs:b/c","remote":"local","destinationRemote":"gcs",
         "state":"succeeded","attempt":1,"durationMs":12345}
        """, id);

    public static NotificationEntry RemoteOffline(string remote = "s3prod", string id = "1767323045678-2") => Make(NotificationTypes.RemoteOffline, $$"""
        {"name":"{{remote}}","state":"open","consecutiveFailures":5,"lastErrorCode":"endpoint_unreachable",
         "lastErrorMessage":"dial tcp: connection refused","retryAt":"2026-01-02T03:05:05Z"}
        """, id, remote);

    public static NotificationEntry RemoteOnline(string remote = "s3prod", string id = "1767323045678-3") => Make(NotificationTypes.RemoteOnline, $$"""
        {"name":"{{remote}}","state":"closed","consecutiveFailures":0}
        """, id, remote);
}
