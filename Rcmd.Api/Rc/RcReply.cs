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
internal sealed class RcReply(JsonObject body, int status, long? rcJobId, int? retryAfterSeconds = null) : IResult
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, IndentCharacter = '\t', IndentSize = 1 };

    /// <summary>The output, or the error object.</summary>
    public JsonObject Body { get; } = body;

    public int Status { get; } = status;

    /// <summary>The <c>Retry-After</c> seconds the reply carries (a breaker's refusal: until its half-open probe), or none.</summary>
    public int? RetryAfterSeconds { get; } = retryAfterSeconds;

    /// <summary>The same reply with a <c>Retry-After</c> header of <paramref name="seconds"/> (none when null).</summary>
    public RcReply WithRetryAfter(int? seconds) => new(Body, Status, rcJobId, seconds);

    public static RcReply Ok(JsonObject output, long? rcJobId = null) => new(output, StatusCodes.Status200OK, rcJobId);

    public static RcReply Error(string path, JsonObject input, string error, int status, NormalizedError? normalized = null, long? rcJobId = null)
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

        return new RcReply(body, status, rcJobId);
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = Status;
        response.ContentType = "application/json";
        if (rcJobId is { } id)
        {
            response.Headers["x-rclone-jobid"] = id.ToString(CultureInfo.InvariantCulture);
        }

        if (RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        await response.WriteAsync(Body.ToJsonString(Indented) + "\n", httpContext.RequestAborted).ConfigureAwait(false);
    }
}
