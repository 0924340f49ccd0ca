using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Rcmd.Breakers;
using Rcmd.Failures;
using Rcmd.Jobs;
using Rcmd.Rclone;

namespace Rcmd.Api.Services;

/// <summary>
/// Reads on a remote — <c>list</c> (one directory, not recursive), <c>about</c> (quota), <c>size</c> (count and bytes
/// under a path) — through the remote's circuit breaker, each bounded by the remote's
/// <see cref="BreakerSettings.OperationTimeout"/> (30 s by default; a timeout counts as <c>upstream_timeout</c>, except
/// for <c>size</c>, which walks the whole tree and may be slow on a healthy remote). A good result is cached. While the
/// breaker refuses, the seed's <c>handleCircuitOpen</c> applies: 1) the cached result, marked stale with its age;
/// 2) the same read on the remote's configured fallback (<c>Breakers:Remotes:&lt;name&gt;:Fallback</c>, one hop);
/// 3) 503 <c>endpoint_unreachable</c> "Remote X is temporarily unavailable. Retry in N seconds" with <c>Retry-After</c>.
/// </summary>
public sealed partial class RemoteReads(
    RemoteBreakers breakers,
    RemoteReadCache cache,
    IHttpClientFactory httpClients,
    IOptions<RcloneOptions> rcloneOptions,
    TimeProvider time,
    ILogger<RemoteReads> logger)
{
    /// <summary>The HttpClient for reads: no client timeout of its own; each read is bounded by its remote's operation timeout.</summary>
    public const string HttpClientName = "RcloneReads";

    public static IReadOnlyList<string> Operations { get; } = ["list", "about", "size"];

    /// <summary>Reads <paramref name="operation"/> of <paramref name="path"/> on the configured remote <paramref name="remote"/>.</summary>
    public async Task<RemoteReadOutcome> ReadAsync(string remote, string operation, string path, CancellationToken cancellationToken)
    {
        var read = new Read(remote, remote + ":", operation, path, Command(remote, operation, path), RcloneErrors: false);
        var (outcome, refusal) = await ReadThroughBreakerAsync(read, cancellationToken).ConfigureAwait(false);
        return refusal is null ? outcome! : await WhileRefusedAsync(read, refusal, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// An rclone read call as an RC client sent it (<c>operations/list|about|size</c>, <c>/rc/</c>): through the breaker of the
    /// remote its <c>fs</c> names, its good result cached under all its parameters; while the breaker refuses, that cached
    /// result (stale) or the breaker's 503. rcd's own errors are thrown as they came (<see cref="RcloneException"/>).
    /// </summary>
    public async Task<RemoteReadOutcome> ReadCallAsync(string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(parameters);
        var fs = parameters["fs"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : "";
        var operation = method[(method.IndexOf('/', StringComparison.Ordinal) + 1)..];
        var read = new Read(RclonePath.RemoteName(fs), fs, operation, "rc " + parameters.ToJsonString(), (method, parameters), RcloneErrors: true);
        var (outcome, refusal) = await ReadThroughBreakerAsync(read, cancellationToken).ConfigureAwait(false);
        return refusal is null ? outcome! : await WhileRefusedAsync(read, refusal, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One read: the remote its breaker and cache key on, the path its breaker is found by, the operation, the path it is
    /// cached under, the rcd call, and whether rcd's errors pass through as they came (the RC surface) or are explained.
    /// </summary>
    private sealed record Read(string Remote, string BreakerPath, string Operation, string Path, (string Method, JsonObject Parameters) Call,
        bool RcloneErrors);

    private async Task<RemoteReadOutcome> WhileRefusedAsync(Read read, BreakerRefusal refusal, CancellationToken cancellationToken)
    {
        var (remote, operation, path) = (read.Remote, read.Operation, read.Path);
        var now = time.GetUtcNow();
        if (await TryCacheGetAsync(remote, operation, path, cancellationToken).ConfigureAwait(false) is { } cached)
        {
            LogServedStale(logger, operation, remote, refusal.Decision.State.ToWire());
            return RemoteReadOutcome.Success(new RemoteReadResponse
            {
                Remote = remote,
                Operation = operation,
                Path = path,
                Source = RemoteReadResponse.FromCache,
                Stale = true,
                AgeSeconds = Math.Max(0, Math.Round((now - cached.ReadAt).TotalSeconds, 1)),
                ReadAt = cached.ReadAt,
                Result = Parse(cached.Json),
            });
        }

        if (!read.RcloneErrors && breakers.Store.SettingsFor(remote).Fallback is { } fallback)
        {
            var again = read with { Remote = fallback, BreakerPath = fallback + ":", Call = Command(fallback, operation, path) };
            var (fallbackOutcome, fallbackRefusal) = await ReadThroughBreakerAsync(again, cancellationToken).ConfigureAwait(false);
            if (fallbackRefusal is null && fallbackOutcome is { Response: { } response })
            {
                LogServedFallback(logger, operation, remote, fallback);
                return RemoteReadOutcome.Success(response with
                {
                    Remote = remote,
                    Source = RemoteReadResponse.FromFallback,
                    FallbackRemote = fallback,
                });
            }

            LogFallbackFailed(logger, operation, remote, fallback);
        }

        var retryIn = refusal.Decision.RetryInSeconds(now);
        return RemoteReadOutcome.Failure(StatusCodes.Status503ServiceUnavailable, ErrorResponse.Create(ErrorCodes.EndpointUnreachable,
            refusal.Message(now), retryable: true,
            suggestion: (refusal.Decision.RunsInFlight is null
                    ? $"Its circuit breaker is {refusal.Decision.State.ToWire()} after repeated failures "
                    : "It failed recently and the calls in flight decide whether its circuit breaker opens ")
                + $"({refusal.Breaker.LastErrorCode ?? "unknown"}); no cached result or fallback remote could answer."), retryIn);
    }

    /// <summary>The read on one remote: an outcome (its result or error), or the breaker's refusal.</summary>
    private async Task<(RemoteReadOutcome? Outcome, BreakerRefusal? Refusal)> ReadThroughBreakerAsync(Read read, CancellationToken cancellationToken)
    {
        var (remote, operation, path) = (read.Remote, read.Operation, read.Path);
        var settings = breakers.Store.SettingsFor(remote);
        BreakerAdmission? admission = null;
        try
        {
            admission = await breakers.EnterAsync(breakers.RemotesOf(read.BreakerPath), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogBreakerUnavailable(logger, remote, ex.GetType().Name);
        }

        if (admission?.Refusal is { } refusal)
        {
            return (null, refusal);
        }

        var (method, parameters) = read.Call;
        JsonElement result;
        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(settings.OperationTimeout);
            try
            {
                using var http = httpClients.CreateClient(HttpClientName);
                result = await new RcloneClient(http, rcloneOptions).CallAsync(method, parameters, bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && bound.IsCancellationRequested)
            {
                throw new TimeoutException($"rclone {method} on remote {remote} did not answer within {settings.OperationTimeout.TotalSeconds:0.#} s.");
            }
        }
        catch (Exception ex) when (ex is RcloneException or TimeoutException)
        {
            var classification = ex is RcloneException rclone
                ? FailureClassifier.Default.Classify(FailureInput.FromText(rclone.Error, rclone.Status, remote))
                : FailureClassifier.Default.Classify(FailureInput.FromText(ex.Message, 504, remote)) with { Code = ErrorCodes.UpstreamTimeout };
            var message = ex is RcloneException e ? e.Error : ex.Message;
            if (admission is not null)
            {
                await RecordFailureAsync(admission, operation == "size" && ex is TimeoutException ? null : classification.Code, message)
                    .ConfigureAwait(false);
            }

            if (read.RcloneErrors && ex is RcloneException)
            {
                throw; // rcd's own answer, as rcd gave it (the breaker has learned from it)
            }

            return (Failed(remote, operation, path, classification, message), null);
        }
        catch
        {
            // The caller left, or rcd itself failed (unreachable, a bug): nothing learned about the remote.
            if (admission is not null)
            {
                await TryAsync(() => breakers.ReleaseAsync(admission, CancellationToken.None)).ConfigureAwait(false);
            }

            throw;
        }

        if (admission is not null)
        {
            await TryAsync(() => breakers.RecordSuccessAsync(admission, CancellationToken.None)).ConfigureAwait(false);
        }

        var json = result.ValueKind == JsonValueKind.Undefined ? "{}" : result.GetRawText();
        await TryAsync(() => cache.SetAsync(remote, operation, path, json, CancellationToken.None)).ConfigureAwait(false);
        return (RemoteReadOutcome.Success(new RemoteReadResponse
        {
            Remote = remote,
            Operation = operation,
            Path = path,
            Source = RemoteReadResponse.FromRemote,
            ReadAt = time.GetUtcNow(),
            Result = Parse(json),
        }), null);
    }

    private Task RecordFailureAsync(BreakerAdmission admission, string? code, string message) =>
        TryAsync(() => code is null
            ? breakers.ReleaseAsync(admission, CancellationToken.None)
            : breakers.RecordFailureAsync(admission, code, message, CancellationToken.None));

    private async Task<CachedRead?> TryCacheGetAsync(string remote, string operation, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await cache.GetAsync(remote, operation, path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogBreakerUnavailable(logger, remote, ex.GetType().Name);
            return null;
        }
    }

    /// <summary>Breaker and cache writes after the read: best effort, never the reason a read fails.</summary>
    private async Task TryAsync(Func<Task> write)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogBreakerUnavailable(logger, "-", ex.GetType().Name);
        }
    }

    /// <summary>The local filesystem of rcd's host, read without a configured remote (paths from its root, "/").</summary>
    public const string LocalRemote = ":local";

    internal static (string Method, JsonObject Parameters) Command(string remote, string operation, string path) => remote == LocalRemote
        ? LocalCommand(operation, path)
        : RemoteCommand(remote, operation, path);

    private static (string Method, JsonObject Parameters) LocalCommand(string operation, string path)
    {
        var (method, parameters) = RemoteCommand(":local", operation, path.TrimStart('/'));
        if (operation == "list")
        {
            parameters["fs"] = ":local:/";
        }
        else
        {
            parameters["fs"] = ":local:/" + path.TrimStart('/');
        }

        return (method, parameters);
    }

    private static (string Method, JsonObject Parameters) RemoteCommand(string remote, string operation, string path) => operation switch
    {
        "list" => ("operations/list", new JsonObject
        {
            ["fs"] = remote + ":",
            ["remote"] = path,
            ["opt"] = new JsonObject { ["recurse"] = false },
        }),
        "about" => ("operations/about", new JsonObject { ["fs"] = remote + ":" + path }),
        "size" => ("operations/size", new JsonObject { ["fs"] = remote + ":" + path }),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown read."),
    };

    private static RemoteReadOutcome Failed(string remote, string operation, string path, Classification classification, string message)
    {
        var status = classification.Code switch
        {
            ErrorCodes.NotFound => StatusCodes.Status404NotFound,
            ErrorCodes.ValidationError => StatusCodes.Status400BadRequest,
            ErrorCodes.RateLimited => StatusCodes.Status429TooManyRequests,
            ErrorCodes.UpstreamTimeout => StatusCodes.Status504GatewayTimeout,
            _ => StatusCodes.Status502BadGateway,
        };
        var text = SecretRedactor.Redact(message);
        text = text.Length <= 500 ? text : text[..500] + "…";
        var retryAfter = classification.RetryAfter is { } after ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds))
            : classification.Retryable ? 5 : (int?)null;
        return RemoteReadOutcome.Failure(status, ErrorResponse.Create(classification.Code,
            $"Remote {remote}: {operation} of '{path}' failed: {text}", classification.Retryable, classification.Suggestion), retryAfter);
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information,
        Message = "Read {operation} on remote {remote} answered from the cache (stale): its circuit breaker is {breaker_state}")]
    private static partial void LogServedStale(ILogger logger, string operation, string remote, string breaker_state);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Read {operation} on remote {remote} answered by its fallback remote {fallback}: its circuit breaker is open")]
    private static partial void LogServedFallback(ILogger logger, string operation, string remote, string fallback);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning,
        Message = "Read {operation} on remote {remote}: its fallback remote {fallback} could not answer either")]
    private static partial void LogFallbackFailed(ILogger logger, string operation, string remote, string fallback);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning,
        Message = "Remote {remote}: the circuit breaker or read cache could not be used ({exception_type}); reading without it")]
    private static partial void LogBreakerUnavailable(ILogger logger, string remote, string exception_type);
}

/// <summary>What a read answers: a response (200) or an error with its status and, when retryable, <c>Retry-After</c> seconds.</summary>
public sealed record RemoteReadOutcome(int Status, RemoteReadResponse? Response, ErrorResponse? Error, int? RetryAfterSeconds)
{
    public static RemoteReadOutcome Success(RemoteReadResponse response) => new(StatusCodes.Status200OK, response, null, null);

    public static RemoteReadOutcome Failure(int status, ErrorResponse error, int? retryAfterSeconds) => new(status, null, error, retryAfterSeconds);
}

/// <summary>
/// The body of <c>GET /api/remotes/{name}/list|about|size</c>: rclone's answer in <see cref="Result"/> (for
/// <c>list</c>: <c>{ "list": [ { "Path", "Name", "Size", "MimeType", "ModTime", "IsDir" } ] }</c>; for <c>about</c>:
/// <c>{ "total", "used", "free", … }</c>; for <c>size</c>: <c>{ "count", "bytes", "sizeless" }</c>) and where it came from.
/// </summary>
public sealed record RemoteReadResponse
{
    public const string FromRemote = "remote";
    public const string FromCache = "cache";
    public const string FromFallback = "fallback";

    public required string Remote { get; init; }
    public required string Operation { get; init; }
    public required string Path { get; init; }

    /// <summary><c>remote</c> (read just now), <c>cache</c> (the last good result: the breaker is open) or <c>fallback</c>.</summary>
    public required string Source { get; init; }

    /// <summary>True when the result is the cached one, read <see cref="AgeSeconds"/> ago.</summary>
    public bool Stale { get; init; }

    public double? AgeSeconds { get; init; }

    /// <summary>The remote that answered instead, when <see cref="Source"/> is <c>fallback</c>.</summary>
    public string? FallbackRemote { get; init; }

    public required DateTimeOffset ReadAt { get; init; }

    public required JsonElement Result { get; init; }
}
