using System.Globalization;
using System.Text.Json;

namespace Rcmd.Api.Apis;

/// <summary>
/// One page of a directory listing (<c>GET /api/remotes/{name}/list?offset=&amp;limit=&amp;sort=&amp;filter=</c>): rclone lists
/// the whole directory once, the Api sorts (folders first), filters and cuts it, so a browser never holds a 5,000-entry
/// folder. The page keeps rclone's entry shape, with <c>total</c> (entries matching the filter), <c>offset</c> and
/// <c>limit</c> next to <c>list</c>.
/// </summary>
public static class ListingPage
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>The sorts a page takes: <c>name</c>, <c>size</c>, <c>modtime</c>; a leading '-' sorts descending.</summary>
    public static IReadOnlyList<string> Sorts { get; } = ["name", "size", "modtime"];

    /// <summary>Whether the request asks for a page (any paging parameter given).</summary>
    public static bool Requested(int? offset, int? limit, string? sort, string? filter) =>
        offset is not null || limit is not null || !string.IsNullOrEmpty(sort) || !string.IsNullOrEmpty(filter);

    /// <summary>A message when the parameters cannot be served, else null.</summary>
    public static string? Check(int? offset, int? limit, string? sort, string? filter)
    {
        if (offset is < 0)
        {
            return "offset must be 0 or more.";
        }

        if (limit is < 1 or > MaxLimit)
        {
            return $"limit must be between 1 and {MaxLimit}.";
        }

        if (!string.IsNullOrEmpty(sort) && !Sorts.Contains(sort.TrimStart('-'), StringComparer.Ordinal))
        {
            return "sort must be name, size or modtime (a leading '-' sorts descending).";
        }

        return filter is { Length: > 256 } ? "filter is longer than 256 characters." : null;
    }

    /// <summary>The page of <paramref name="result"/> (rclone's <c>{ "list": [...] }</c>) the parameters ask for.</summary>
    public static JsonElement Cut(JsonElement result, int? offset, int? limit, string? sort, string? filter) =>
        Cut(Entries(result), offset, limit, sort, filter);

    /// <summary>The entries of rclone's <c>{ "list": [...] }</c>, with the keys pages sort by read once.</summary>
    public static IReadOnlyList<ListingEntry> Entries(JsonElement result)
    {
        if (result.ValueKind != JsonValueKind.Object || !result.TryGetProperty("list", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var entries = new List<ListingEntry>(list.GetArrayLength());
        foreach (var entry in list.EnumerateArray())
        {
            entries.Add(new ListingEntry(Name(entry), Size(entry), ModTime(entry), IsDir(entry), entry));
        }

        return entries;
    }

    /// <summary>The page of <paramref name="all"/> the parameters ask for (the entries are not changed: a cached listing serves many pages).</summary>
    public static JsonElement Cut(IReadOnlyList<ListingEntry> all, int? offset, int? limit, string? sort, string? filter)
    {
        ArgumentNullException.ThrowIfNull(all);
        var entries = string.IsNullOrEmpty(filter)
            ? [.. all]
            : all.Where(e => e.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)).ToList();

        var descending = sort?.StartsWith('-') == true;
        Comparison<ListingEntry> byKey = sort?.TrimStart('-') switch
        {
            "size" => (a, b) => a.Size.CompareTo(b.Size),
            "modtime" => (a, b) => string.CompareOrdinal(a.ModTime, b.ModTime),
            _ => (a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name),
        };
        entries.Sort((a, b) =>
        {
            // Folders first whatever the order; then the key; then the name, so pages never overlap.
            var dirs = b.IsDir.CompareTo(a.IsDir);
            if (dirs != 0)
            {
                return dirs;
            }

            var key = byKey(a, b);
            key = key != 0 ? key : string.CompareOrdinal(a.Name, b.Name);
            return descending ? -key : key;
        });

        var from = Math.Min(offset ?? 0, entries.Count);
        var take = Math.Min(limit ?? DefaultLimit, entries.Count - from);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024 + (take * 256));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("list");
            for (var i = from; i < from + take; i++)
            {
                entries[i].Raw.WriteTo(writer);
            }

            writer.WriteEndArray();
            writer.WriteNumber("total", entries.Count);
            writer.WriteNumber("offset", from);
            writer.WriteNumber("limit", limit ?? DefaultLimit);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static string Name(JsonElement entry) =>
        entry.TryGetProperty("Name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() ?? string.Empty : string.Empty;

    private static long Size(JsonElement entry) =>
        entry.TryGetProperty("Size", out var size) && size.TryGetInt64(out var bytes) ? bytes : -1;

    private static string ModTime(JsonElement entry) =>
        entry.TryGetProperty("ModTime", out var time) && time.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(time.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)
            : string.Empty;

    private static bool IsDir(JsonElement entry) => entry.TryGetProperty("IsDir", out var dir) && dir.ValueKind == JsonValueKind.True;
}

/// <summary>One entry of a listing: the keys a page sorts and filters by, and rclone's entry as it came.</summary>
public sealed record ListingEntry(string Name, long Size, string ModTime, bool IsDir, JsonElement Raw);
