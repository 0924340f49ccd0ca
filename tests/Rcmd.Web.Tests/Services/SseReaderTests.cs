using System.Text;
using Rcmd.Web.Services;

namespace Rcmd.Web.Tests.Services;

public sealed class SseReaderTests
{
    private static async Task<List<SseMessage>> ReadAllAsync(string text)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var messages = new List<SseMessage>();
        await foreach (var message in SseReader.ReadAsync(stream, CancellationToken.None))
        {
            messages.Add(message);
        }

        return messages;
    }

    [Fact]
    public async Task Read_EventAndData_YieldsOneMessagePerBlankLine()
    {
        var messages = await ReadAllAsync("event: job-update\ndata: {\"a\":1}\n\nevent: job-update\ndata: {\"a\":2}\n\n");

        Assert.Equal([new SseMessage("job-update", "{\"a\":1}", false), new SseMessage("job-update", "{\"a\":2}", false)], messages);
    }

    [Fact]
    public async Task Read_CommentLine_IsAHeartbeat()
    {
        var messages = await ReadAllAsync(": heartbeat\n\ndata: x\n\n");

        Assert.True(messages[0].IsHeartbeat);
        Assert.Equal(new SseMessage("message", "x", false), messages[1]);
    }

    [Fact]
    public async Task Read_MultiLineDataAndCrLf_JoinsWithNewline()
    {
        var messages = await ReadAllAsync("id: 7\r\nretry: 1000\r\ndata:first\r\ndata: second\r\n\r\n");

        Assert.Equal("first\nsecond", Assert.Single(messages).Data);
    }

    [Fact]
    public async Task Read_UnterminatedLastMessage_IsDropped()
    {
        var messages = await ReadAllAsync("data: complete\n\ndata: partial");

        Assert.Equal("complete", Assert.Single(messages).Data);
    }
}
