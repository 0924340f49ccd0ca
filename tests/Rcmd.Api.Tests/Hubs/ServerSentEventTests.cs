using Rcmd.Api.Hubs;

namespace Rcmd.Api.Tests.Hubs;

public sealed class ServerSentEventTests
{
    [Fact]
    public void Format_Event_WritesIdEventDataAndABlankLine()
    {
        var item = new ServerSentEvent(7, "job-update", "a", """{"type":"job-update"}""");

        Assert.Equal("id: 7\nevent: job-update\ndata: {\"type\":\"job-update\"}\n\n", item.Format());
    }

    [Fact]
    public void Format_DataOverSeveralLines_WritesOneDataLinePerLine()
    {
        var item = new ServerSentEvent(1, "job-update", null, "{\r\n\"a\": 1\n}");

        Assert.Equal("id: 1\nevent: job-update\ndata: {\ndata: \"a\": 1\ndata: }\n\n", item.Format());
    }

    [Theory]
    [InlineData("""{"type":"job-update","job":{"id":"j1"}}""", "job-update", "j1")]
    [InlineData("""{"type":"remote-offline","remote":"s3"}""", "remote-offline", null)]
    public void TryParse_Event_ReadsTypeAndJobId(string json, string type, string? jobId)
    {
        Assert.True(ServerSentEvent.TryParse(3, json, out var item));
        Assert.Equal((3L, type, jobId, json), (item!.Id, item.Type, item.JobId, item.Data));
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("[]")]
    [InlineData("""{"type":""}""")]
    [InlineData("""{"type":1}""")]
    public void TryParse_NotAnEvent_ReturnsFalse(string json)
    {
        Assert.False(ServerSentEvent.TryParse(1, json, out _));
    }
}
