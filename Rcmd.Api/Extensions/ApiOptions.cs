using System.ComponentModel.DataAnnotations;

namespace Rcmd.Api.Extensions;

/// <summary>
/// Limits and timings of the HTTP API, bound from <c>Rcmd:Api</c> and validated once at start.
/// </summary>
public sealed class ApiOptions
{
    public const string Section = "Rcmd:Api";

    /// <summary>Largest request body accepted, in bytes. Default 1 MiB (<see cref="ApiConstants.DefaultMaxRequestBodyBytes"/>).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = ApiConstants.DefaultMaxRequestBodyBytes;

    /// <summary>
    /// How long a request may take before it is answered 503 (a dependency that never answers must not hang the caller).
    /// Default 10 s. The event stream is exempt.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = ApiConstants.DefaultRequestTimeout;

    /// <summary>How often the event stream sends a comment line to keep proxies and clients from closing it. Default 15 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan SseHeartbeatInterval { get; set; } = ApiConstants.DefaultSseHeartbeatInterval;

    /// <summary>
    /// Events waiting for one event-stream client, at most (after coalescing updates of the same job). When a slow
    /// client falls this far behind, its oldest waiting events are dropped. Default 1024.
    /// </summary>
    [Range(16, 1_000_000)]
    public int SseClientBufferSize { get; set; } = ApiConstants.DefaultSseClientBufferSize;

    /// <summary>Where the Api listens when neither <c>ASPNETCORE_URLS</c> nor <c>--urls</c> says. Default http://127.0.0.1:5080 (loopback).</summary>
    [Required]
    public string DefaultUrl { get; set; } = ApiConstants.DefaultUrl;
}

internal static class ApiConstants
{
    public const long DefaultMaxRequestBodyBytes = 1024 * 1024;
    public const int DefaultSseClientBufferSize = 1024;
    public const string DefaultUrl = "http://127.0.0.1:5080";
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultSseHeartbeatInterval = TimeSpan.FromSeconds(15);
}
