using System.IO.Compression;
using System.Text.Json;

namespace Rcmd.Retention;

/// <summary>A verified archive write: the file (name within the target), and the file's length up to and including it.</summary>
public sealed record ArchiveWrite(string File, long VerifiedLength, int Records);

/// <summary>Where archived jobs go: a directory, or an rclone remote through rcd.</summary>
public interface IArchiveTarget
{
    /// <summary>Where <paramref name="file"/> is, for people (the 410, logs).</summary>
    string Locate(string file);

    /// <summary>
    /// Appends <paramref name="records"/> to the day's file as one gzip member and checks what was written; throws when
    /// it could not be written or verified (then nothing may be deleted).
    /// </summary>
    Task<ArchiveWrite> AppendAsync(string file, IReadOnlyList<ArchiveRecord> records, CancellationToken cancellationToken);
}

/// <summary>Encodes records as one gzip member of JSON Lines, and reads members back.</summary>
public static class ArchiveFormat
{
    public static byte[] Encode(IReadOnlyList<ArchiveRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            using var writer = new Utf8JsonWriter(gzip);
            foreach (var record in records)
            {
                JsonSerializer.Serialize(writer, record, RetentionJsonContext.Default.ArchiveRecord);
                writer.Flush();
                writer.Reset();
                gzip.WriteByte((byte)'\n');
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Every record of a gzipped JSON Lines stream (all its members).</summary>
    public static IEnumerable<ArchiveRecord> Decode(Stream stream)
    {
        using var gzip = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
        using var reader = new StreamReader(gzip);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && JsonSerializer.Deserialize(line, RetentionJsonContext.Default.ArchiveRecord) is { } record)
            {
                yield return record;
            }
        }
    }

    /// <summary>Every record of an archive file.</summary>
    public static IReadOnlyList<ArchiveRecord> ReadFile(string path)
    {
        using var file = File.OpenRead(path);
        return [.. Decode(file)];
    }
}

/// <summary>
/// An archive in a directory: <c>rcmd-jobs-{yyyy-MM-dd}.jsonl.gz</c>, each step one gzip member appended (a reader of the
/// file sees all members, as <c>zcat</c> does). A write is flushed to disk and read back before it counts; a write that a
/// crash cut short is beyond the file's verified length (kept in Redis with the deletion it allowed) and is cut off
/// before the next append.
/// </summary>
public sealed class DirectoryArchiveTarget(string directory, RetentionStore store) : IArchiveTarget
{
    public string Directory { get; } = Path.GetFullPath(directory);

    public string Locate(string file) => Path.Combine(Directory, file);

    public async Task<ArchiveWrite> AppendAsync(string file, IReadOnlyList<ArchiveRecord> records, CancellationToken cancellationToken)
    {
        var verified = await store.VerifiedLengthAsync(file, cancellationToken).ConfigureAwait(false);
        return await AppendAtAsync(Locate(file), file, verified, records, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends at <paramref name="verified"/> (cutting off anything after it) and reads the member back.</summary>
    internal static async Task<ArchiveWrite> AppendAtAsync(string path, string file, long verified, IReadOnlyList<ArchiveRecord> records,
        CancellationToken cancellationToken)
    {
        var member = ArchiveFormat.Encode(records);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        long start;
        await using (var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16, FileOptions.Asynchronous))
        {
            // Shorter than verified: the file was moved or cut by someone else; append to what is there.
            start = Math.Min(verified, stream.Length);
            stream.SetLength(start);
            stream.Position = start;
            await stream.WriteAsync(member, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        // Read back from disk: the bytes are the member, and the member decodes to the records.
        var back = new byte[member.Length];
        await using (var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.Asynchronous))
        {
            read.Position = start;
            await read.ReadExactlyAsync(back, cancellationToken).ConfigureAwait(false);
        }

        if (!back.AsSpan().SequenceEqual(member))
        {
            throw new IOException($"Archive file {file}: what was read back differs from what was written.");
        }

        using var check = new MemoryStream(back);
        var decoded = ArchiveFormat.Decode(check).Select(r => r.JobId).ToList();
        if (!decoded.SequenceEqual(records.Select(r => r.JobId), StringComparer.Ordinal))
        {
            throw new IOException($"Archive file {file}: the written records do not read back.");
        }

        return new ArchiveWrite(file, start + member.Length, records.Count);
    }
}
