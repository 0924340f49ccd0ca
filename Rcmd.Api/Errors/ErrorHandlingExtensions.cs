using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;
using Rcmd.Api.Extensions;

namespace Rcmd.Api.Errors;

/// <summary>
/// Every error the API answers has the <see cref="Rcmd.Failures.ErrorResponse"/> shape: exceptions go through
/// <see cref="ApiExceptionHandler"/>; responses that end with an error status and no body (unknown route, wrong
/// method, missing API key, …) get their body from the status-code-pages writer; a request that outlives
/// <see cref="ApiOptions.RequestTimeout"/> answers 503.
/// </summary>
internal static class ErrorHandlingExtensions
{
    public static IServiceCollection AddApiErrors(this IServiceCollection services)
    {
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<ApiOptions>>((timeouts, api) =>
            timeouts.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = api.Value.RequestTimeout,
                TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
                // RequestAborted is the timed-out token here: write without it, or the write itself is canceled.
                WriteTimeoutResponse = context => WriteAsync(context, ApiErrors.Timeout(), CancellationToken.None),
            });
        return services;
    }

    public static WebApplication UseApiErrors(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Reached only if ApiExceptionHandler declines (a request the client already abandoned).
            ExceptionHandler = _ => Task.CompletedTask,
        });
        app.UseStatusCodePages(context => WriteAsync(context.HttpContext,
            ApiErrors.ForStatus(context.HttpContext.Response.StatusCode, context.HttpContext.Request.Path),
            context.HttpContext.RequestAborted));
        app.UseRequestTimeouts();
        return app;
    }

    private static Task WriteAsync(HttpContext context, Rcmd.Failures.ErrorResponse error, CancellationToken cancellationToken) =>
        ApiErrors.WriteAsync(context, context.Response.StatusCode, error, retryAfter: null, cancellationToken);
}
