using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Rcmd.Rclone;

/// <summary>
/// A typed client for rclone's remote control API (<c>rclone rcd</c>). Every call is a POST of a JSON object with
/// <c>Content-Type: application/json</c> exactly — rcd ignores a body sent as <c>application/json; charset=utf-8</c>.
/// Errors come back as <see cref="RcloneException"/> with rclone's own text and status.
/// </summary>
public sealed class RcloneClient(HttpClient http, IOptions<RcloneOptions> options)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>Calls an RC method and returns its JSON answer.</summary>
    public Task<JsonElement> CallAsync(string method, JsonObject? parameters, CancellationToken cancellationToken) =>
        CallAsync(method, parameters, longRunning: false, cancellationToken);

    /// <summary>
    /// Runs a transfer (or listing) synchronously in rcd and returns its answer: one call that lasts as long as the work
    /// (marked <see cref="RcloneRequest.LongRunning"/>: no attempt timeout, never re-sent). Canceling the token aborts
    /// the HTTP call; rcd runs a synchronous call in the request's context, so it stops the operation too.
    /// </summary>
    public Task<JsonElement> TransferAsync(string method, JsonObject parameters, CancellationToken cancellationToken) =>
        CallAsync(method, parameters, longRunning: true, cancellationToken);

    private async Task<JsonElement> CallAsync(string method, JsonObject? parameters, bool longRunning, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUrl, method));
        var content = new StringContent((parameters ?? []).ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = Json;
        request.Content = content;
        if (parameters?["_async"] is JsonValue flag && flag.TryGetValue<bool>(out var isAsync) && isAsync)
        {
            request.Options.Set(RcloneRequest.StartsJob, true);
        }

        if (longRunning)
        {
            request.Options.Set(RcloneRequest.LongRunning, true);
        }

        if (options.Value.User is { Length: > 0 } user)
        {
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{options.Value.Password}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", token);
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        JsonElement json = default;
        try
        {
            if (!string.IsNullOrWhiteSpace(body))
            {
                using var document = JsonDocument.Parse(body); // disposed: its buffers go back to the pool
                json = document.RootElement.Clone();
            }
        }
        catch (JsonException)
        {
            throw new RcloneException(method, (int)response.StatusCode, Shorten(body));
        }

        if (!response.IsSuccessStatusCode)
        {
            var error = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("error", out var e) ? e.GetString() : null;
            throw new RcloneException(method, (int)response.StatusCode, error ?? Shorten(body));
        }

        return json;
    }

    /// <summary>Starts an async RC job (the parameters carry <c>_async</c>) and returns rclone's job id.</summary>
    public async Task<long> StartAsync(string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        var json = await CallAsync(method, parameters, cancellationToken).ConfigureAwait(false);
        return json.GetProperty("jobid").GetInt64();
    }

    public async Task<RcloneJobStatus> JobStatusAsync(long jobId, CancellationToken cancellationToken)
    {
        var json = await CallAsync("job/status", new JsonObject { ["jobid"] = jobId }, cancellationToken).ConfigureAwait(false);
        var error = json.TryGetProperty("error", out var e) ? e.GetString() : null;
        return new RcloneJobStatus(
            jobId,
            json.GetProperty("finished").GetBoolean(),
            json.GetProperty("success").GetBoolean(),
            string.IsNullOrEmpty(error) ? null : error,
            json.TryGetProperty("duration", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetDouble() : 0);
    }

    public async Task<RcloneStats> StatsAsync(string group, CancellationToken cancellationToken)
    {
        var json = await CallAsync("core/stats", new JsonObject { ["group"] = group }, cancellationToken).ConfigureAwait(false);
        var transferring = json.TryGetProperty("transferring", out var t) && t.ValueKind == JsonValueKind.Array
            ? t.EnumerateArray().Select(x => x.TryGetProperty("name", out var n) ? n.GetString() : null).OfType<string>().ToList()
            : [];
        return new RcloneStats(
            Int64(json, "bytes"), Int64(json, "totalBytes"), Double(json, "speed") ?? 0, Double(json, "eta"),
            Int64(json, "transfers"), Int64(json, "totalTransfers"), Int64(json, "errors"),
            json.TryGetProperty("lastError", out var le) ? le.GetString() : null, transferring);
    }

    /// <summary>Asks rcd to stop a running job; a job rcd no longer knows is not an error here.</summary>
    public async Task StopJobAsync(long jobId, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync("job/stop", new JsonObject { ["jobid"] = jobId }, cancellationToken).ConfigureAwait(false);
        }
        catch (RcloneException ex) when (ex.Error.Contains("job not found", StringComparison.OrdinalIgnoreCase))
        {
        }
    }

    /// <summary>Frees rcd's memory of a finished run's stats group.</summary>
    public Task DeleteStatsAsync(string group, CancellationToken cancellationToken) =>
        CallAsync("core/stats-delete", new JsonObject { ["group"] = group }, cancellationToken);

    /// <summary>The configured remotes, name and type only. rclone's config parameters (credentials) are dropped here.</summary>
    public async Task<IReadOnlyList<RcloneRemote>> ListRemotesAsync(CancellationToken cancellationToken)
    {
        var json = await CallAsync("config/dump", null, cancellationToken).ConfigureAwait(false);
        if (json.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        return json.EnumerateObject()
            .Select(p => new RcloneRemote(p.Name, p.Value.TryGetProperty("type", out var type) ? type.GetString() ?? "" : ""))
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The backends rclone was built with (usable inline as <c>:name:path</c>).</summary>
    public async Task<IReadOnlyList<string>> ListBackendsAsync(CancellationToken cancellationToken)
    {
        var json = await CallAsync("config/providers", null, cancellationToken).ConfigureAwait(false);
        return json.GetProperty("providers").EnumerateArray()
            .Select(p => p.GetProperty("Name").GetString()).OfType<string>()
            .OrderBy(n => n, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// How each backend is named in an inline path, <c>:prefix:path</c>: rclone's short prefix (<c>gcs</c> for
    /// "google cloud storage", <c>acd</c>, <c>gphotos</c>; the same as the name for most), sorted.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListBackendPrefixesAsync(CancellationToken cancellationToken)
    {
        var json = await CallAsync("config/providers", null, cancellationToken).ConfigureAwait(false);
        return json.GetProperty("providers").EnumerateArray()
            .Select(p => p.TryGetProperty("Prefix", out var prefix) && prefix.GetString() is { Length: > 0 } value
                ? value
                : p.GetProperty("Name").GetString())
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .OrderBy(n => n, StringComparer.Ordinal).ToList();
    }

    public async Task<RcloneVersion> VersionAsync(CancellationToken cancellationToken)
    {
        var json = await CallAsync("core/version", null, cancellationToken).ConfigureAwait(false);
        var numbers = json.TryGetProperty("decomposed", out var d) && d.ValueKind == JsonValueKind.Array
            ? d.EnumerateArray().Select(x => x.GetInt32()).ToArray()
            : [0, 0, 0];
        return new RcloneVersion(json.GetProperty("version").GetString() ?? "", numbers.ElementAtOrDefault(0),
            numbers.ElementAtOrDefault(1), numbers.ElementAtOrDefault(2));
    }

    /// <summary>
    /// How long rcd keeps a finished job (<c>--rc-job-expire-duration</c>), or null when this rclone does not say.
    /// <c>options/get</c> also carries rcd's own credentials (<c>rc.BasicPass</c>, <c>rc.HtPasswd</c>): only the one
    /// number is read from the reply, and the reply is never logged nor kept.
    /// </summary>
    public async Task<TimeSpan?> JobExpiryAsync(CancellationToken cancellationToken)
    {
        var json = await CallAsync("options/get", null, cancellationToken).ConfigureAwait(false);
        return json.TryGetProperty("rc", out var rc) && rc.ValueKind == JsonValueKind.Object
            && rc.TryGetProperty("JobExpireDuration", out var nanoseconds) && nanoseconds.ValueKind == JsonValueKind.Number
            ? TimeSpan.FromTicks(nanoseconds.GetInt64() / 100)
            : null;
    }

    /// <summary>rcd's process id: it changes when rcd restarts, which ends every job it was running.</summary>
    public async Task<long> PidAsync(CancellationToken cancellationToken) =>
        (await CallAsync("core/pid", null, cancellationToken).ConfigureAwait(false)).GetProperty("pid").GetInt64();

    private Uri BaseUrl => options.Value.Url.AbsoluteUri.EndsWith('/') ? options.Value.Url : new Uri(options.Value.Url.AbsoluteUri + "/");

    private static long Int64(JsonElement json, string name) =>
        json.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? (long)v.GetDouble() : 0;

    private static double? Double(JsonElement json, string name) =>
        json.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static string Shorten(string text) => text.Length <= 500 ? text : text[..500] + "…";
}
