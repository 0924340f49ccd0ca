using System.Collections.Concurrent;
using Rcmd.Api.Apis;

namespace Rcmd.Api.Services;

/// <summary>
/// Whole directory listings, kept in the Api's memory for <see cref="TimeToLive"/> so that paging, sorting and filtering
/// a large folder ask rcd once, not once per page (a 5,000-entry folder was listed again for every page). Keyed by
/// remote and path; a read with <c>refresh=true</c> replaces the entry. Bounded: at most <see cref="MaxEntries"/> in
/// all (about <see cref="MaxEntries"/> × a listing's size), the oldest dropped first. This is not the breaker's
/// fallback (<see cref="RemoteReadCache"/>, in Redis, 24 h): only fresh, successful reads come here.
/// </summary>
public sealed class ListingCache(TimeProvider time)
{
    /// <summary>How long a listing serves pages: short, a folder changes under the browser.</summary>
    public static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(30);

    /// <summary>Listings kept at most (a 5,000-entry listing is about 2 MiB parsed).</summary>
    public const int MaxEntries = 16;

    private readonly ConcurrentDictionary<(string Remote, string Path), CachedListing> _entries = new();

    /// <summary>The listing of <paramref name="path"/> on <paramref name="remote"/> read less than <see cref="TimeToLive"/> ago.</summary>
    public CachedListing? Get(string remote, string path)
    {
        if (!_entries.TryGetValue((remote, path), out var entry))
        {
            return null;
        }

        if (time.GetUtcNow() - entry.CachedAt < TimeToLive)
        {
            return entry;
        }

        _entries.TryRemove(new KeyValuePair<(string, string), CachedListing>((remote, path), entry));
        return null;
    }

    public void Set(string remote, string path, RemoteReadResponse response, IReadOnlyList<ListingEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(response);
        var now = time.GetUtcNow();
        _entries[(remote, path)] = new CachedListing(response, entries, now);
        if (_entries.Count <= MaxEntries)
        {
            return;
        }

        foreach (var stale in _entries.Where(e => now - e.Value.CachedAt >= TimeToLive).Select(e => e.Key).ToList())
        {
            _entries.TryRemove(stale, out _);
        }

        while (_entries.Count > MaxEntries && _entries.MinBy(e => e.Value.CachedAt) is { Key: var oldest })
        {
            _entries.TryRemove(oldest, out _);
        }
    }

    /// <summary>Forgets <paramref name="path"/> on <paramref name="remote"/> (a refresh, or a job that changed it).</summary>
    public void Invalidate(string remote, string path) => _entries.TryRemove((remote, path), out _);

    public int Count => _entries.Count;
}

/// <summary>A listing as it was read: the read's metadata (its <c>result</c> is the whole listing) and its parsed entries.</summary>
public sealed record CachedListing(RemoteReadResponse Response, IReadOnlyList<ListingEntry> Entries, DateTimeOffset CachedAt);
