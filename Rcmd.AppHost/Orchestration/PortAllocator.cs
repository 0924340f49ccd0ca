using System.Net;
using System.Net.Sockets;
using Rcmd.AppHost.Prerequisites;

namespace Rcmd.AppHost.Orchestration;

/// <summary>
/// Hands out loopback ports, each at most once per run: an exact port (fails clearly when taken), a preferred one
/// (falls back to a free one) or any free one (the kernel's pick).
/// </summary>
internal sealed class PortAllocator
{
    private readonly HashSet<int> _given = [];

    public int Allocate(string owner, int? exact, int? preferred)
    {
        if (exact is { } port)
        {
            if (_given.Contains(port) || !IsFree(port))
            {
                throw new PrerequisiteException($"port {port} for {owner} is already in use — choose another one or stop what listens on it");
            }

            return Give(port);
        }

        if (preferred is { } wanted && !_given.Contains(wanted) && IsFree(wanted))
        {
            return Give(wanted);
        }

        for (var attempt = 0; attempt < 100; attempt++)
        {
            var free = Ephemeral();
            if (!_given.Contains(free))
            {
                return Give(free);
            }
        }

        throw new PrerequisiteException($"no free loopback port for {owner}");
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private int Give(int port)
    {
        _given.Add(port);
        return port;
    }

    private static int Ephemeral()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
