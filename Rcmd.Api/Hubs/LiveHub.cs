using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Rcmd.Api.Hubs;

/// <summary>What the hub calls on a client: one event, its type (<c>job-update</c>, <c>remote-status</c>) and its JSON body.</summary>
public interface ILiveClient
{
    Task Event(string type, string json);
}

/// <summary>
/// <c>/hubs/events</c>: the live events of <see cref="EventHub"/> over SignalR, in groups so a client gets only what its
/// pages show: <see cref="LiveGroups.Status"/> (every event: the Status page, the Jobs grid) or
/// <c>job:{id}</c> (one job's updates: a job's or a batch's page — a batch is a job). A client in the status group is not
/// sent a job group's copy of the same event. Fed by <see cref="LiveHubRelay"/>; guarded by the Api's policy.
/// </summary>
public sealed class LiveHub(LiveGroups groups) : Hub<ILiveClient>
{
    public const string Path = "/hubs/events";

    /// <summary>Adds the caller to <paramref name="group"/> (<c>status</c> or <c>job:{id}</c>); false for any other name.</summary>
    public async Task<bool> Join(string group)
    {
        if (!LiveGroups.IsValid(group))
        {
            return false;
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, group, Context.ConnectionAborted).ConfigureAwait(false);
        if (group == LiveGroups.Status)
        {
            groups.AddStatusMember(Context.ConnectionId);
        }

        return true;
    }

    /// <summary>Takes the caller out of <paramref name="group"/>.</summary>
    public async Task Leave(string group)
    {
        if (!LiveGroups.IsValid(group))
        {
            return;
        }

        if (group == LiveGroups.Status)
        {
            groups.RemoveStatusMember(Context.ConnectionId);
        }

        await Groups.RemoveFromGroupAsync(Context.ConnectionId, group, Context.ConnectionAborted).ConfigureAwait(false);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        groups.RemoveStatusMember(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}

/// <summary>The hub's group names, and who is in the status group (their job groups' copies are not sent).</summary>
public sealed class LiveGroups
{
    public const string Status = "status";
    public const string JobPrefix = "job:";
    private const int MaxIdLength = 128;

    private readonly ConcurrentDictionary<string, byte> _statusMembers = new(StringComparer.Ordinal);
    private volatile string[] _snapshot = [];

    /// <summary>The connections in the status group now.</summary>
    public IReadOnlyList<string> StatusMembers => _snapshot;

    public static string ForJob(string jobId) => JobPrefix + jobId;

    /// <summary><c>status</c>, or <c>job:</c> and an id of letters, digits, '-', '_' and '.'.</summary>
    public static bool IsValid(string? group) =>
        group == Status
        || (group is { Length: > 4 and <= MaxIdLength + 4 } && group.StartsWith(JobPrefix, StringComparison.Ordinal)
            && group.AsSpan(JobPrefix.Length).IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") < 0);

    internal void AddStatusMember(string connectionId)
    {
        if (_statusMembers.TryAdd(connectionId, 0))
        {
            _snapshot = [.. _statusMembers.Keys];
        }
    }

    internal void RemoveStatusMember(string connectionId)
    {
        if (_statusMembers.TryRemove(connectionId, out _))
        {
            _snapshot = [.. _statusMembers.Keys];
        }
    }
}
