using System.Net;
using System.Net.Sockets;

namespace Rcmd.Testing;

/// <summary>
/// A loopback TCP port nobody listens on right now, for a server a test starts a moment later.
/// </summary>
/// <remarks>
/// Not from the kernel's ephemeral range (32768–60999 on Linux): every outgoing connection (Redis clients, HTTP
/// clients, DCP's proxies) takes its local port from that range, so a port asked of the kernel with bind(0) and
/// released could be taken by one before the test's server binds it — a page load then reaches the wrong server. The
/// ports come from 20000–32767 instead, at random, never the same one twice in a test process, and each is checked
/// free on 127.0.0.1 and on every address before it is handed out.
/// </remarks>
public static class FreePort
{
    private const int First = 20000;
    private const int Last = 32767;

    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        lock (Given)
        {
            for (var tries = 0; tries < 1000; tries++)
            {
                var port = Random.Shared.Next(First, Last + 1);
                if (!Given.Contains(port) && IsFree(IPAddress.Loopback, port) && IsFree(IPAddress.Any, port))
                {
                    Given.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"No free TCP port found in {First}–{Last} after 1000 tries.");
    }

    private static bool IsFree(IPAddress address, int port)
    {
        try
        {
            using var listener = new TcpListener(address, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
