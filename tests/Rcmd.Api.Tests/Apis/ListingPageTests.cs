using System.Text.Json;
using Rcmd.Api.Apis;

namespace Rcmd.Api.Tests.Apis;

public sealed class ListingPageTests
{
    private static JsonElement Listing(int files, int folders = 0)
    {
        var entries = Enumerable.Range(0, files)
            .Select(i => new { Path = $"d/f{i:D4}", Name = $"f{i:D4}", Size = (long)(files - i), ModTime = $"2025-05-04T12:{i % 60:D2}:00Z", IsDir = false })
            .Concat(Enumerable.Range(0, folders).Select(i => new { Path = $"d/z{i}", Name = $"z{i}", Size = -1L, ModTime = "2025-05-04T12:00:00Z", IsDir = true }));
        return JsonSerializer.SerializeToElement(new { list = entries });
    }

    private static string[] Names(JsonElement page) => [.. page.GetProperty("list").EnumerateArray().Select(e => e.GetProperty("Name").GetString()!)];

    [Fact]
    public void Cut_5000Entries_ReturnsTheAskedPageAndTheTotal()
    {
        var page = ListingPage.Cut(Listing(5000), offset: 100, limit: 100, sort: "name", filter: null);

        Assert.Equal(5000, page.GetProperty("total").GetInt32());
        Assert.Equal(100, page.GetProperty("offset").GetInt32());
        var names = Names(page);
        Assert.Equal(100, names.Length);
        Assert.Equal("f0100", names[0]);
        Assert.Equal("f0199", names[^1]);
    }

    [Fact]
    public void Cut_SortedBySizeDescending_FoldersFirstThenLargest()
    {
        var page = ListingPage.Cut(Listing(10, folders: 2), offset: 0, limit: 4, sort: "-size", filter: null);

        Assert.Equal(["z1", "z0", "f0000", "f0001"], Names(page));
    }

    [Fact]
    public void Cut_Filter_CountsAndPagesOnlyTheMatches()
    {
        var page = ListingPage.Cut(Listing(5000), offset: 0, limit: 10, sort: null, filter: "F49");

        // Case-insensitive "contains": f4900 … f4999.
        Assert.Equal(100, page.GetProperty("total").GetInt32());
        Assert.Equal("f4900", Names(page)[0]);
        Assert.Equal(10, Names(page).Length);
    }

    [Theory]
    [InlineData(-1, 10, null, "offset")]
    [InlineData(0, 0, null, "limit")]
    [InlineData(0, 1001, null, "limit")]
    [InlineData(0, 10, "owner", "sort")]
    public void Check_BadParameters_SaysWhich(int offset, int limit, string? sort, string word)
    {
        Assert.Contains(word, ListingPage.Check(offset, limit, sort, null), StringComparison.Ordinal);
    }
}

public sealed class ListingCacheTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Get_WithinTimeToLive_TheListingThenNothingOnceItExpired()
    {
        var clock = new Infrastructure.ManualClock(T0);
        var cache = new Rcmd.Api.Services.ListingCache(clock);
        cache.Set(":local", "/data", Response(), []);

        clock.Advance(Rcmd.Api.Services.ListingCache.TimeToLive - TimeSpan.FromSeconds(1));
        Assert.NotNull(cache.Get(":local", "/data"));
        Assert.Null(cache.Get(":local", "/other"));
        Assert.Null(cache.Get("s3", "/data"));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(cache.Get(":local", "/data"));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Set_MoreThanMaxEntries_DropsTheOldest()
    {
        var clock = new Infrastructure.ManualClock(T0);
        var cache = new Rcmd.Api.Services.ListingCache(clock);
        for (var i = 0; i <= Rcmd.Api.Services.ListingCache.MaxEntries; i++)
        {
            cache.Set(":local", $"/d{i}", Response(), []);
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.Equal(Rcmd.Api.Services.ListingCache.MaxEntries, cache.Count);
        Assert.Null(cache.Get(":local", "/d0"));
        Assert.NotNull(cache.Get(":local", "/d1"));
        Assert.NotNull(cache.Get(":local", $"/d{Rcmd.Api.Services.ListingCache.MaxEntries}"));
    }

    [Fact]
    public void Invalidate_DropsThatListingOnly()
    {
        var cache = new Rcmd.Api.Services.ListingCache(new Infrastructure.ManualClock(T0));
        cache.Set(":local", "/a", Response(), []);
        cache.Set(":local", "/b", Response(), []);

        cache.Invalidate(":local", "/a");

        Assert.Null(cache.Get(":local", "/a"));
        Assert.NotNull(cache.Get(":local", "/b"));
    }

    private static Rcmd.Api.Services.RemoteReadResponse Response() => new()
    {
        Remote = ":local",
        Operation = "list",
        Path = "/data",
        Source = Rcmd.Api.Services.RemoteReadResponse.FromRemote,
        ReadAt = T0,
        Result = System.Text.Json.JsonDocument.Parse("""{"list":[]}""").RootElement.Clone(),
    };
}
