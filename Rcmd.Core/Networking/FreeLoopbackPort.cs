using System.Net;
using System.Net.Sockets;

namespace Rcmd.Core.Networking;

/// <summary>
/// A TCP port nobody listens on right now, for a server that binds it a moment later (a port a child process is told
/// to listen on cannot be held open for it).
/// </summary>
/// <remarks>
/// Never from the kernel's ephemeral range (32768–60999 on Linux): every outgoing connection (Redis clients, HTTP
/// clients, DCP's proxies) takes its local port from that range, so a port asked of the kernel with bind(0) and then
/// released can be taken by one of them before the server binds it, and the server fails "address already in use".
/// Callers pick from their own range below 32768, at random; a port is checked free on 127.0.0.1 and on every address,
/// and never handed out twice in a process.
/// </remarks>
public static class FreeLoopbackPort
{
    private static readonly HashSet<int> Given = [];

    /// <summary>A free port in <paramref name="first"/>–<paramref name="last"/> (inclusive).</summary>
    public static int Pick(int first, int last)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first, last);
        lock (Given)
        {
            for (var tries = 0; tries < 1000; tries++)
            {
                var port = Random.Shared.Next(first, last + 1);
                if (!Given.Contains(port) && IsFree(IPAddress.Loopback, port) && IsFree(IPAddress.Any, port))
                {
                    Given.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"No free TCP port found in {first}–{last} after 1000 tries.");
    }

    /// <summary>Whether <paramref name="port"/> can be bound on 127.0.0.1 now.</summary>
    public static bool IsFree(int port) => IsFree(IPAddress.Loopback, port);

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
