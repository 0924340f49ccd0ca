using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rcmd.Failures;

namespace Rcmd.Api.Rc;

/// <summary>
/// Replies in rclone's shape: 200 and the output object, or <c>{"error", "input", "path", "status"}</c> with rclone's
/// status — plus Rcmd's <c>normalizedError</c> (failure-taxonomy.md), which rclone clients ignore and Rcmd's read.
/// Indented with tabs, as rcd writes them.
/// </summary>
internal static class RcReply
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, IndentCharacter = '\t', IndentSize = 1 };

    public static IResult Ok(JsonObject output, long? rcJobId = null) => new Reply(output, StatusCodes.Status200OK, rcJobId);

    public static IResult Error(string path, JsonObject input, string error, int status, NormalizedError? normalized = null, long? rcJobId = null)
    {
        var body = new JsonObject
        {
            ["error"] = error,
            ["input"] = input.DeepClone(),
            ["path"] = path,
            ["status"] = status,
        };
        if (normalized is not null)
        {
            body["normalizedError"] = new JsonObject
            {
                ["code"] = normalized.Code,
                ["retryable"] = normalized.Retryable,
                ["suggestion"] = normalized.Suggestion,
            };
        }

        return new Reply(body, status, rcJobId);
    }

    private sealed class Reply(JsonObject body, int status, long? rcJobId) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            response.ContentType = "application/json";
            if (rcJobId is { } id)
            {
                response.Headers["x-rclone-jobid"] = id.ToString(CultureInfo.InvariantCulture);
            }

            await response.WriteAsync(body.ToJsonString(Indented) + "\n", httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
