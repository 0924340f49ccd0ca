using System.Net;
using System.Net.Sockets;
using Rcmd.AppHost.Orchestration;
using Rcmd.AppHost.Prerequisites;
using Rcmd.AppHost.Tests.Support;

namespace Rcmd.AppHost.Tests.Orchestration;

public class EndpointAllocatorTests
{
    [Fact]
    public void Allocate_Topology_OneInstancePerReplicaNamedByIndex()
    {
        var instances = EndpointAllocator.Allocate(Topology.Declare("--workers", "3").Build().Model, new PortAllocator());

        Assert.Equal(["redis", "rclone", "api", "worker-1", "worker-2", "worker-3", "web"], instances.Select(i => i.Name));
    }

    [Fact]
    public void Allocate_Topology_EveryPortIsUniqueAndOnLoopback()
    {
        var instances = EndpointAllocator.Allocate(Topology.Declare().Build().Model, new PortAllocator());

        var endpoints = instances.SelectMany(i => i.Endpoints).ToList();
        Assert.Equal(endpoints.Count, endpoints.Select(e => e.Port).Distinct().Count());
        Assert.All(endpoints, e => Assert.StartsWith($"{e.Annotation.Scheme}://127.0.0.1:", e.Url, StringComparison.Ordinal));
    }

    [Fact]
    public void Allocate_WebPortOption_IsUsedExactly()
    {
        var port = FreePort();

        var instances = EndpointAllocator.Allocate(Topology.Declare("--web-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)).Build().Model,
            new PortAllocator());

        Assert.Equal(port, instances.Single(i => i.Name == "web").PrimaryEndpoint.Port);
    }

    [Fact]
    public void Allocate_PreferredPortTaken_FallsBackToAFreeOne()
    {
        using var taken = Listen();

        var port = new PortAllocator().Allocate("web (http)", exact: null, preferred: taken.Port);

        Assert.NotEqual(taken.Port, port);
        Assert.True(PortAllocator.IsFree(port));
    }

    [Fact]
    public void Allocate_ExactPortTaken_FailsWithOneClearLine()
    {
        using var taken = Listen();

        var error = Assert.Throws<PrerequisiteException>(() => new PortAllocator().Allocate("web (http)", exact: taken.Port, preferred: null));

        Assert.Equal($"port {taken.Port} for web (http) is already in use — choose another one or stop what listens on it", error.Message);
    }

    [Fact]
    public void Allocate_SamePortTwice_IsRefusedTheSecondTime()
    {
        var allocator = new PortAllocator();
        var port = allocator.Allocate("a", exact: null, preferred: null);

        Assert.NotEqual(port, allocator.Allocate("b", exact: null, preferred: port));
        Assert.Throws<PrerequisiteException>(() => allocator.Allocate("c", exact: port, preferred: null));
    }

    private static int FreePort() => Rcmd.Testing.FreePort.Next();

    private static Listener Listen() => new();

    private sealed class Listener : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public Listener() => _listener.Start();

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public void Dispose() => _listener.Stop();
    }
}
