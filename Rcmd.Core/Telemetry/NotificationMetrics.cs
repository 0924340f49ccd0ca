using System.Diagnostics.Metrics;

namespace Rcmd.Telemetry;

/// <summary><c>notifications_sent_total{channel,event,status}</c>: status <c>sent</c>, <c>failed</c> (dead-lettered) or <c>suppressed</c> (cooldown).</summary>
public sealed class NotificationMetrics
{
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Suppressed = "suppressed";

    private readonly Counter<long> _sent;

    public NotificationMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _sent = meterFactory.Create(RcmdTelemetry.MeterName).CreateCounter<long>("notifications_sent_total",
            description: "Notifications per channel and event: sent, failed (after the last attempt: dead-lettered) or suppressed (cooldown).");
    }

    public void Record(string channel, string notificationEvent, string status) =>
        _sent.Add(1,
            new KeyValuePair<string, object?>(RcmdTelemetry.ChannelTag, channel),
            new KeyValuePair<string, object?>(RcmdTelemetry.EventTag, notificationEvent),
            new KeyValuePair<string, object?>(RcmdTelemetry.StatusTag, status));
}
