using Rcmd.Core.Networking;

namespace Rcmd.Testing;

/// <summary>
/// A loopback TCP port nobody listens on right now, for a server a test starts a moment later: from 20000–26999, a
/// range of its own below the kernel's ephemeral range and apart from the one the AppHost picks its services' ports
/// from (27000–32767), so a test's port and a port the AppHost picks in the same moment never meet.
/// </summary>
public static class FreePort
{
    public static int Next() => FreeLoopbackPort.Pick(20000, 26999);
}
