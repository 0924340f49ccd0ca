using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Rcmd.Api.Tests.Infrastructure;

/// <summary>Checks for the API's one error shape.</summary>
public static class ApiAssert
{
    /// <summary>
    /// Asserts status, JSON content type and <c>{ "error": { "message", "normalizedError": { "code", "retryable" } } }</c>;
    /// returns the <c>error</c> element for further checks.
    /// </summary>
    public static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code, bool retryable = false)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);

        using var document = JsonDocument.Parse(text);
        var error = document.RootElement.GetProperty("error").Clone();
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        var normalized = error.GetProperty("normalizedError");
        Assert.Equal(code, normalized.GetProperty("code").GetString());
        Assert.Equal(retryable, normalized.GetProperty("retryable").GetBoolean());
        return error;
    }

    /// <summary>Asserts a 400 <c>validation_error</c> with at least one message for <paramref name="field"/>.</summary>
    public static async Task<JsonElement> ValidationAsync(HttpResponseMessage response, string field)
    {
        var error = await ErrorAsync(response, HttpStatusCode.BadRequest, "validation_error");
        Assert.True(error.TryGetProperty("fields", out var fields), "no fields: " + error);
        Assert.True(fields.TryGetProperty(field, out var messages), $"no message for '{field}': {fields}");
        Assert.Contains(messages.EnumerateArray(), m => !string.IsNullOrWhiteSpace(m.GetString()));
        return error;
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    public static JsonContent Json<T>(T value) => JsonContent.Create(value);
}
