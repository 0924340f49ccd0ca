using Polly;
using Rcmd.Rclone;

namespace Rcmd.Worker.Rclone;

/// <summary>
/// Sends each request to rcd through <see cref="RcloneResiliencePipeline"/>. The same message is sent again on a
/// retry (its JSON content is buffered); Polly disposes the response of a failed attempt before it retries.
/// </summary>
public sealed class RcloneResilienceHandler(RcloneResiliencePipeline resilience) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.IsLongRunning())
        {
            // A synchronous transfer (a batch item): no attempt timeout may cut it, and it may have reached rcd, so it is
            // never re-sent; the caller classifies its failure and retries the item itself.
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RcloneResiliencePipeline.RequestKey, request);
        try
        {
            var outcome = await resilience.Pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.Handler.SendOnceAsync(state.Request, ctx.CancellationToken)
                            .ConfigureAwait(ctx.ContinueOnCapturedContext));
                    }
                    catch (Exception ex)
                    {
                        return Outcome.FromException<HttpResponseMessage>(ex);
                    }
                },
                context, (Handler: this, Request: request)).ConfigureAwait(false);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
