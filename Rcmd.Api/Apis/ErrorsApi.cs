using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Rcmd.Api.Errors;
using Rcmd.Api.Extensions;
using Rcmd.Api.Services;
using Rcmd.Failures;
using Rcmd.Serialization;

namespace Rcmd.Api.Apis;

/// <summary>
/// <c>/api/errors</c>: ask the failure classifier directly — the same one the Workers use for job records — to triage
/// captured unknown errors and try new patterns. Nothing is stored; the message is not echoed back.
/// </summary>
public static class ErrorsApi
{
    public static RouteGroupBuilder MapErrorsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/errors")
            .WithTags("Errors")
            .RequireAuthorization(Roles.ViewerPolicy);

        api.MapPost("/classify", Classify)
            .WithName("ClassifyError")
            .WithSummary("Classify an rclone error message: code, retryable, suggestion, failure type")
            .Accepts<ClassifyErrorRequest>("application/json")
            .Produces<ErrorResponse>(StatusCodes.Status415UnsupportedMediaType);
        return api;
    }

    public static async Task<Results<Ok<ClassifyErrorResponse>, BadRequest<ErrorResponse>, JsonHttpResult<ErrorResponse>>> Classify(
        HttpRequest request, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var body = await JsonRequestBody.ReadAsync(request, RcmdJsonContext.Default.ClassifyErrorRequest, options.Value.MaxRequestBodyBytes,
            cancellationToken);
        if (!body.IsValid)
        {
            return body.Refusal();
        }

        var input = body.Value ?? new ClassifyErrorRequest();
        var errors = Validate(input);
        if (errors.Count > 0)
        {
            return TypedResults.BadRequest(ApiErrors.Validation(errors, "The error to classify is not valid."));
        }

        var classification = FailureClassifier.Default.Classify(input.Message, input.Status, input.Remote?.Trim());
        return TypedResults.Ok(ClassifyErrorResponse.From(classification));
    }

    internal static Dictionary<string, string[]> Validate(ClassifyErrorRequest input)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(input.Message))
        {
            errors["message"] = ["Message is required: paste the error text rclone gave."];
        }
        else if (input.Message.Length > ClassifyErrorRequest.MaxMessageLength)
        {
            errors["message"] = [$"Message must be at most {ClassifyErrorRequest.MaxMessageLength} characters; paste the error line, not the whole log."];
        }

        if (input.Status is { } status && status is < 100 or > 599)
        {
            errors["status"] = ["Status must be an HTTP status code from 100 to 599."];
        }

        if (input.Remote is { } remote && (remote.Length > ClassifyErrorRequest.MaxRemoteLength || remote.Any(char.IsControl)))
        {
            errors["remote"] = [$"Remote must be a remote name of at most {ClassifyErrorRequest.MaxRemoteLength} characters."];
        }

        return errors;
    }
}
