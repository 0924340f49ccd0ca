using Rcmd.AppHost.Orchestration;

namespace Rcmd.AppHost.Tests.Orchestration;

public class ResourceTableTests
{
    [Fact]
    public void Render_Rows_AlignsColumnsAndHighlightsOnlyTheExternalOne()
    {
        var lines = ResourceTable.Render(
        [
            new ResourceRow("redis", "redis", 10, "tcp://127.0.0.1:6000", "AOF in /d/redis", false),
            new ResourceRow("web", "project", 12345, "http://127.0.0.1:5080", "<- open this in a browser", true),
        ], line => "[" + line + "]");

        Assert.Equal("  NAME   KIND     PID    URL", lines[1]);
        Assert.Equal("  redis  redis    10     tcp://127.0.0.1:6000   AOF in /d/redis", lines[2]);
        Assert.Equal("[  web    project  12345  http://127.0.0.1:5080  <- open this in a browser]", lines[3]);
    }
}
