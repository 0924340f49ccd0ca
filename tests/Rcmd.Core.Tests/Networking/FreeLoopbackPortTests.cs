using System.Net;
using System.Net.Sockets;
using Rcmd.Core.Networking;

namespace Rcmd.Core.Tests.Networking;

public sealed class FreeLoopbackPortTests
{
    [Fact]
    public void Pick_StaysInItsRange_AndNeverGivesAPortTwice()
    {
        var ports = Enumerable.Range(0, 8).Select(_ => FreeLoopbackPort.Pick(29000, 29007)).ToList();

        Assert.All(ports, p => Assert.InRange(p, 29000, 29007));
        Assert.Equal(8, ports.Distinct().Count());
        Assert.Throws<InvalidOperationException>(() => FreeLoopbackPort.Pick(29000, 29007));
    }

    [Fact]
    public void Pick_PassesOverAPortSomeoneListensOn()
    {
        using var held = new TcpListener(IPAddress.Loopback, 28500);
        held.Start();

        Assert.False(FreeLoopbackPort.IsFree(28500));
        Assert.Equal(28501, FreeLoopbackPort.Pick(28500, 28501));
    }
}
