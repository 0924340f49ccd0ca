using System.Reflection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Rcmd.Api.Hubs;

/// <summary>
/// Streams a client's <see cref="EventSubscription"/> as Server-Sent Events until the client leaves or the Api stops:
/// <c>id:</c>/<c>event:</c>/<c>data:</c> per event, a <c>: heartbeat</c> comment every interval. Everything waiting
/// is written and flushed in one go, so a burst costs one flush, not one per event.
/// </summary>
internal sealed class EventStreamResult(EventHub hub, IReadOnlySet<string>? types, TimeSpan heartbeat, TimeProvider time,
    CancellationToken stopping) : IResult, IEndpointMetadataProvider
{
    public const string ContentType = "text/event-stream";

    public async Task ExecuteAsync(HttpContext context)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var cancellationToken = linked.Token;

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        using var subscription = hub.Subscribe(types);
        using var ticks = new PeriodicTimer(heartbeat, time);
        var batch = new List<ServerSentEvent>();
        var text = new System.Text.StringBuilder();
        try
        {
            // Registered before the first byte leaves, so a client that has the headers misses nothing after them.
            await response.WriteAsync("retry: 2000\n: connected\n\n", cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);

            Task<bool>? events = null;
            Task<bool>? tick = null;
            while (!cancellationToken.IsCancellationRequested)
            {
                events ??= subscription.WaitAsync(cancellationToken);
                tick ??= ticks.WaitForNextTickAsync(cancellationToken).AsTask();
                var done = await Task.WhenAny(events, tick).ConfigureAwait(false);
                if (done == events)
                {
                    events = null;
                    if (!await done.ConfigureAwait(false))
                    {
                        break;
                    }

                    batch.Clear();
                    if (subscription.Drain(batch) == 0)
                    {
                        continue;
                    }

                    text.Clear();
                    foreach (var item in batch)
                    {
                        item.AppendTo(text);
                    }

                    await response.WriteAsync(text.ToString(), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    tick = null;
                    if (!await done.ConfigureAwait(false))
                    {
                        break;
                    }

                    await response.WriteAsync(": heartbeat\n\n", cancellationToken).ConfigureAwait(false);
                }

                await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client left or the Api is stopping: the subscription is disposed below.
        }
        catch (IOException)
        {
            // The connection broke mid-write.
        }
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), [ContentType]));
}
