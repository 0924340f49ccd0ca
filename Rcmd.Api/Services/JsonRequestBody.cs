using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Rcmd.Api.Errors;
using Rcmd.Failures;

namespace Rcmd.Api.Services;

/// <summary>
/// Reads a JSON request body with the API's rules, so every way a body can be wrong answers the error shape with a
/// field message: not JSON (415), larger than the limit, empty, malformed or of the wrong JSON type (400).
/// </summary>
internal static class JsonRequestBody
{
    public readonly record struct Result<T>(T? Value, int Status, ErrorResponse? Error)
    {
        public bool IsValid => Error is null;

        /// <summary>The refusal of a body that is not valid: the error shape with its status (415 or 400).</summary>
        public JsonHttpResult<ErrorResponse> Refusal() => Refuse(Status, Error!);
    }

    /// <summary>The 415 of a body that is not sent as JSON.</summary>
    public static JsonHttpResult<ErrorResponse> NotJson() =>
        Refuse(StatusCodes.Status415UnsupportedMediaType, ApiErrors.Validation(ApiErrors.FieldBody, NotJsonMessage));

    private const string NotJsonMessage = "Send the body as JSON with Content-Type: application/json.";

    private static JsonHttpResult<ErrorResponse> Refuse(int status, ErrorResponse error) =>
        TypedResults.Json(error, Rcmd.Serialization.RcmdJsonContext.Default.ErrorResponse, statusCode: status);

    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, long maxBytes,
        CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return Fail<T>(StatusCodes.Status415UnsupportedMediaType, NotJsonMessage);
        }

        if (request.ContentLength > maxBytes)
        {
            return TooLarge<T>(maxBytes);
        }

        byte[] bytes;
        try
        {
            bytes = await ReadUpToAsync(request.Body, maxBytes, cancellationToken).ConfigureAwait(false);
            if (bytes.Length > maxBytes)
            {
                return TooLarge<T>(maxBytes);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge<T>(maxBytes);
        }

        if (bytes.Length == 0)
        {
            return new Result<T>(null, StatusCodes.Status200OK, null);
        }

        if (SyntaxError(bytes) is { } syntax)
        {
            return new Result<T>(null, StatusCodes.Status400BadRequest, ApiErrors.Validation(ApiErrors.FieldBody,
                $"The body is not valid JSON{Where(syntax)}."));
        }

        try
        {
            return new Result<T>(JsonSerializer.Deserialize(bytes, typeInfo), StatusCodes.Status200OK, null);
        }
        catch (JsonException ex)
        {
            var field = FieldOf(ex.Path);
            var message = field == ApiErrors.FieldBody
                ? $"The body is not a JSON object of the expected shape{Where(ex)}."
                : $"'{field}' has a value of the wrong kind{Where(ex)}.";
            return new Result<T>(null, StatusCodes.Status400BadRequest, ApiErrors.Validation(field, message));
        }
    }

    /// <summary>Reads the whole document once so broken JSON is told apart from well-formed JSON of the wrong shape.</summary>
    private static JsonException? SyntaxError(byte[] bytes)
    {
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
        {
            AllowTrailingCommas = true,
            CommentHandling = JsonCommentHandling.Skip,
        });
        try
        {
            while (reader.Read())
            {
            }

            return null;
        }
        catch (JsonException ex)
        {
            return ex;
        }
    }

    private static string Where(JsonException ex) =>
        ex.LineNumber is { } line ? $" (line {line + 1}, position {ex.BytePositionInLine + 1})" : "";

    /// <summary>JSON path <c>$.options.dryRun</c> → field <c>options.dryRun</c>; the root → <c>body</c>.</summary>
    internal static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return ApiErrors.FieldBody;
        }

        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Length is > 0 and <= 100 ? field : ApiErrors.FieldBody;
    }

    /// <summary>At most <paramref name="maxBytes"/> + 1 bytes of the body: one more than allowed tells "too large".</summary>
    private static async Task<byte[]> ReadUpToAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (buffer.Length <= maxBytes)
        {
            var wanted = (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length);
            var read = await body.ReadAsync(chunk.AsMemory(0, wanted), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static Result<T> TooLarge<T>(long maxBytes) where T : class =>
        Fail<T>(StatusCodes.Status400BadRequest, $"The body is larger than the limit of {maxBytes} bytes.");

    private static Result<T> Fail<T>(int status, string message) where T : class =>
        new(null, status, ApiErrors.Validation(ApiErrors.FieldBody, message));
}
