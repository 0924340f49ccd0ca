using System.Net;
using System.Text;
using System.Text.Json;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Serialization;
using Rcmd.Storage;

namespace Rcmd.Web.Tests.Infrastructure;

/// <summary>
/// A fake Rcmd.Api behind an <see cref="HttpMessageHandler"/>: routes by method and path, records every request,
/// and can play "down" (every call fails to connect).
/// </summary>
public sealed class StubApi : HttpMessageHandler
{
    private readonly Lock _lock = new();
    private readonly List<(HttpMethod Method, string Path, Func<RecordedRequest, HttpResponseMessage> Respond)> _routes = [];
    private readonly List<RecordedRequest> _requests = [];

    public static readonly Uri BaseAddress = new("http://api.test/");

    /// <summary>When true, every request fails as a refused connection does.</summary>
    public bool Down { get; set; }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public IReadOnlyList<RecordedRequest> RequestsTo(HttpMethod method, string path) =>
        [.. Requests.Where(r => r.Method == method && r.Path == path)];

    /// <summary>Answers <paramref name="method"/> <paramref name="path"/> (no query) with <paramref name="respond"/>; the last one set wins.</summary>
    public StubApi On(HttpMethod method, string path, Func<RecordedRequest, HttpResponseMessage> respond)
    {
        lock (_lock)
        {
            _routes.Insert(0, (method, path, respond));
        }

        return this;
    }

    public StubApi OnJobs(params Job[] jobs) => On(HttpMethod.Get, "/api/jobs", request =>
    {
        var page = int.Parse(request.Query("page") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
        var size = int.Parse(request.Query("pageSize") ?? "50", System.Globalization.CultureInfo.InvariantCulture);
        var state = request.Query("state");
        var matching = jobs.Where(j => state is null || j.State.ToWire() == state).ToList();
        var items = matching.Skip((page - 1) * size).Take(size).ToList();
        return Json(HttpStatusCode.OK, new JobPage(items, matching.Count, page, size), RcmdJsonContext.Default.JobPage);
    });

    public StubApi OnJob(Job job) =>
        On(HttpMethod.Get, "/api/jobs/" + job.Id, _ => Json(HttpStatusCode.OK, job, RcmdJsonContext.Default.Job));

    public StubApi OnCounts(JobCounts counts) =>
        On(HttpMethod.Get, "/api/jobs/counts", _ => Json(HttpStatusCode.OK, counts, RcmdJsonContext.Default.JobCounts));

    public StubApi OnRemotes(string json) => On(HttpMethod.Get, "/api/remotes", _ => RawJson(HttpStatusCode.OK, json));

    public static HttpResponseMessage Json<T>(HttpStatusCode status, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        RawJson(status, JsonSerializer.Serialize(value, type));

    public static HttpResponseMessage RawJson(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Error(HttpStatusCode status, string code, string message,
        IReadOnlyDictionary<string, string[]>? fields = null) =>
        Json(status, ErrorResponse.Create(code, message, fields: fields), RcmdJsonContext.Default.ErrorResponse);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var recorded = new RecordedRequest(request.Method, request.RequestUri!.AbsolutePath, request.RequestUri.Query, body,
            request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase));
        Func<RecordedRequest, HttpResponseMessage>? respond;
        lock (_lock)
        {
            _requests.Add(recorded);
            respond = _routes.FirstOrDefault(r => r.Method == request.Method && r.Path == recorded.Path).Respond;
        }

        if (Down)
        {
            throw new HttpRequestException("Connection refused (api.test:80)");
        }

        return respond?.Invoke(recorded) ?? Error(HttpStatusCode.NotFound, ErrorCodes.NotFound, "No route in the stub.");
    }
}

public sealed record RecordedRequest(HttpMethod Method, string Path, string QueryString, string? Body,
    IReadOnlyDictionary<string, string> Headers)
{
    public string? Query(string name)
    {
        foreach (var pair in QueryString.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            if (Uri.UnescapeDataString(parts[0]) == name)
            {
                return parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty;
            }
        }

        return null;
    }

    public JsonElement Json() => JsonDocument.Parse(Body ?? "null").RootElement;
}
