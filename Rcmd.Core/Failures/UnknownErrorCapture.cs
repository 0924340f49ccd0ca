using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;

namespace Rcmd.Failures;

/// <summary>
/// Where and how much <see cref="UnknownErrorCapture"/> keeps (failure-taxonomy.md, issue 3 §1).
/// <c>RCLONE_CAPTURE_UNKNOWN_ERRORS=true</c> turns it on; files go to <c>${DATA_DIR}/logs/rcloneerrors/unknown/</c>.
/// </summary>
public sealed class UnknownErrorCaptureOptions
{
    public const string EnabledVariable = "RCLONE_CAPTURE_UNKNOWN_ERRORS";
    public const string DataDirectoryVariable = "DATA_DIR";
    public const int DefaultMaxFiles = 1000;
    public const int DefaultMaxFileBytes = 8 * 1024;

    /// <summary>Whether unknown errors are written at all. Default false.</summary>
    public bool Enabled { get; init; }

    /// <summary>The folder the <c>*.txt</c> files go to. Default <c>${DATA_DIR}/logs/rcloneerrors/unknown</c>, DATA_DIR defaulting to <c>./data</c>.</summary>
    [Required]
    public string Directory { get; init; } = DefaultDirectory(null);

    /// <summary>At most this many files; new texts are dropped once it is reached. Default 1000.</summary>
    [Range(1, 1_000_000)]
    public int MaxFiles { get; init; } = DefaultMaxFiles;

    /// <summary>Each file is cut to this many bytes (UTF-8). Default 8 KiB.</summary>
    [Range(512, 1024 * 1024)]
    public int MaxFileBytes { get; init; } = DefaultMaxFileBytes;

    public static string DefaultDirectory(string? dataDirectory) =>
        Path.Combine(string.IsNullOrWhiteSpace(dataDirectory) ? Path.Combine(Environment.CurrentDirectory, "data") : dataDirectory,
            "logs", "rcloneerrors", "unknown");

    public static UnknownErrorCaptureOptions FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>Reads <c>RCLONE_CAPTURE_UNKNOWN_ERRORS</c> (true/1/yes/on) and <c>DATA_DIR</c>.</summary>
    public static UnknownErrorCaptureOptions FromEnvironment(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        var flag = getVariable(EnabledVariable)?.Trim();
        return new UnknownErrorCaptureOptions
        {
            Enabled = flag is not null && (flag.Equals("true", StringComparison.OrdinalIgnoreCase) || flag == "1"
                || flag.Equals("yes", StringComparison.OrdinalIgnoreCase) || flag.Equals("on", StringComparison.OrdinalIgnoreCase)),
            Directory = DefaultDirectory(getVariable(DataDirectoryVariable)),
        };
    }
}

/// <summary>What <see cref="UnknownErrorCapture.Capture(Classification, string?, int?, string?)"/> did.</summary>
public enum CaptureResult
{
    /// <summary>A new file was written.</summary>
    Written,

    /// <summary>A text with the same fingerprint was captured before (by this or another process).</summary>
    Duplicate,

    /// <summary>The classification was not <c>unknown</c>: nothing to learn from it.</summary>
    NotUnknown,

    /// <summary>Capture is switched off.</summary>
    Disabled,

    /// <summary>The folder holds <see cref="UnknownErrorCaptureOptions.MaxFiles"/> files already.</summary>
    LimitReached,

    /// <summary>The text was empty.</summary>
    Empty,

    /// <summary>The file could not be written (the error is swallowed: capture never breaks a job).</summary>
    Failed,
}

/// <summary>
/// Keeps one sample of each new <c>unknown</c> error, so rules can be added for it: one file per fingerprint
/// (<see cref="ErrorFingerprint.Hash"/>) named <c>{hash}.txt</c>, secrets redacted, cut to
/// <see cref="UnknownErrorCaptureOptions.MaxFileBytes"/>, at most <see cref="UnknownErrorCaptureOptions.MaxFiles"/>
/// files. Safe across threads and processes: a file is written aside and moved into place without overwriting, so two
/// Workers capturing the same text leave one file.
/// </summary>
public sealed class UnknownErrorCapture(UnknownErrorCaptureOptions options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private int? _count;

    public UnknownErrorCaptureOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Captures <paramref name="message"/> when <paramref name="classification"/> is <c>unknown</c>.</summary>
    /// <param name="classification">The classifier's verdict on the message.</param>
    /// <param name="message">rclone's text, as it came.</param>
    /// <param name="status">The HTTP status rcd answered with, if any.</param>
    /// <param name="origin">Where it was seen (e.g. "job 01J…, sync/copy"), kept in the file; redacted too.</param>
    public CaptureResult Capture(Classification classification, string? message, int? status = null, string? origin = null)
    {
        ArgumentNullException.ThrowIfNull(classification);
        return classification.Code != ErrorCodes.Unknown ? CaptureResult.NotUnknown : Write(message, status, classification.Remote, origin);
    }

    private CaptureResult Write(string? message, int? status, string? remote, string? origin)
    {
        if (!Options.Enabled)
        {
            return CaptureResult.Disabled;
        }

        if (string.IsNullOrWhiteSpace(message))
        {
            return CaptureResult.Empty;
        }

        var hash = ErrorFingerprint.Hash(message);
        lock (_gate)
        {
            try
            {
                if (_known.Contains(hash))
                {
                    return CaptureResult.Duplicate;
                }

                System.IO.Directory.CreateDirectory(Options.Directory);
                var path = Path.Combine(Options.Directory, hash + ".txt");
                if (File.Exists(path))
                {
                    _known.Add(hash);
                    return CaptureResult.Duplicate;
                }

                _count ??= System.IO.Directory.EnumerateFiles(Options.Directory, "*.txt").Count();
                if (_count >= Options.MaxFiles)
                {
                    return CaptureResult.LimitReached;
                }

                var bytes = Render(hash, message, status, remote, origin);
                var temporary = Path.Combine(Options.Directory, $".{hash}.{Guid.NewGuid():N}.tmp");
                File.WriteAllBytes(temporary, bytes);
                try
                {
                    File.Move(temporary, path, overwrite: false);
                }
                catch (IOException) when (File.Exists(path))
                {
                    File.Delete(temporary);
                    _known.Add(hash);
                    return CaptureResult.Duplicate;
                }

                _known.Add(hash);
                _count++;
                return CaptureResult.Written;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return CaptureResult.Failed;
            }
        }
    }

    private byte[] Render(string hash, string message, int? status, string? remote, string? origin)
    {
        var header = new StringBuilder()
            .Append("# rclone error that Rcmd classified as unknown\n")
            .Append("hash: ").Append(hash).Append('\n')
            .Append("captured_at: ").Append(time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)).Append('\n');
        if (status is { } s)
        {
            header.Append("status: ").Append(s.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        if (!string.IsNullOrWhiteSpace(remote))
        {
            header.Append("remote: ").Append(OneLine(SecretRedactor.Redact(remote))).Append('\n');
        }

        if (!string.IsNullOrWhiteSpace(origin))
        {
            header.Append("origin: ").Append(OneLine(SecretRedactor.Redact(origin))).Append('\n');
        }

        header.Append("normalized: ").Append(OneLine(ErrorFingerprint.Normalize(message))).Append('\n');

        // The header gets at most half the file, the redacted message the rest; both are cut on character boundaries.
        var head = Utf8Prefix(header.ToString(), Options.MaxFileBytes / 2);
        byte[] separator = [.. "---\n"u8];
        var budget = Math.Max(0, Options.MaxFileBytes - head.Length - separator.Length);
        var body = Utf8Prefix(SecretRedactor.Redact(message) + "\n", budget);
        return [.. head, .. separator, .. body];
    }

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= 300 ? line : line[..300] + "…";
    }

    /// <summary>The longest prefix of <paramref name="text"/> that fits <paramref name="maxBytes"/> UTF-8 bytes, marked when cut.</summary>
    private static byte[] Utf8Prefix(string text, int maxBytes)
    {
        var all = Encoding.UTF8.GetBytes(text);
        if (all.Length <= maxBytes)
        {
            return all;
        }

        var marker = "\n[truncated]\n"u8;
        var keep = Math.Max(0, maxBytes - marker.Length);
        while (keep > 0 && (all[keep] & 0xC0) == 0x80)
        {
            keep--; // do not cut inside a multi-byte character
        }

        return maxBytes >= marker.Length ? [.. all.AsSpan(0, keep), .. marker] : all.AsSpan(0, keep).ToArray();
    }
}
