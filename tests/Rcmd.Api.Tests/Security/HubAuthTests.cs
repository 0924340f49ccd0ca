using System.Net;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Rcmd.Api.Tests.Infrastructure;
using Rcmd.Testing;

namespace Rcmd.Api.Tests.Security;

/// <summary>Server mode on the live feeds: the SignalR hub (Bearer as SignalR sends it, access_token in the query) and the SSE stream.</summary>
[Collection(ApiCollection.Name)]
public sealed class HubAuthTests(RedisAndRcloneFixture fixture)
{
    private static HubConnection Connect(SecureApi api, string? token) => new HubConnectionBuilder()
        .WithUrl(new Uri(api.Factory.Server.BaseAddress, "hubs/events"), options =>
        {
            options.HttpMessageHandlerFactory = _ => api.Factory.Server.CreateHandler();
            options.Transports = HttpTransportType.LongPolling;
            if (token is not null)
            {
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
            }
        })
        .Build();

    [Fact]
    public async Task Hub_WithoutCredentials_IsRefused()
    {
        using var api = await SecureApi.StartAsync(fixture);
        await using var hub = Connect(api, token: null);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task Hub_WithAViewerKeyAsAccessToken_JoinsTheStatusGroup()
    {
        using var api = await SecureApi.StartAsync(fixture);
        var (key, _) = await api.CreateKeyAsync("viewer");
        await using var hub = Connect(api, key);

        await hub.StartAsync();

        Assert.True(await hub.InvokeAsync<bool>("Join", "status"));
    }

    [Fact]
    public async Task Hub_AccessTokenInTheQuery_IsAcceptedOnTheHubAndTheStreamOnly()
    {
        using var api = await SecureApi.StartAsync(fixture);
        var (key, _) = await api.CreateKeyAsync("viewer");
        using var http = api.Anonymous();

        using var negotiate = await http.PostAsync($"/hubs/events/negotiate?negotiateVersion=1&access_token={key}", null);
        using var stream = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/sse/status?access_token={key}"),
            HttpCompletionOption.ResponseHeadersRead);
        using var jobs = await http.GetAsync($"/api/jobs?access_token={key}");

        Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        await ApiAssert.ErrorAsync(jobs, HttpStatusCode.Unauthorized, "invalid_credentials"); // keys stay out of ordinary URLs (logs)
    }

    [Fact]
    public async Task EventStream_WithoutCredentials_401()
    {
        using var api = await SecureApi.StartAsync(fixture);
        using var http = api.Anonymous();

        using var stream = await http.GetAsync("/api/sse/status", HttpCompletionOption.ResponseHeadersRead);

        await ApiAssert.ErrorAsync(stream, HttpStatusCode.Unauthorized, "invalid_credentials");
    }
}
