using System.Buffers;
using System.Text.Json;
using Rcmd.Batches;
using Rcmd.Serialization;

namespace Rcmd.Api.Apis;

/// <summary>
/// Reads a <c>POST /api/batches</c> body as a stream: the top-level fields (<c>name</c>, <c>op</c>, <c>directory</c>,
/// <c>options</c>) whole, and the <c>items</c> array one element at a time, handed to a callback as soon as it is
/// complete — so a batch of 100,000 items is never held in memory, only the buffer around the item being read.
/// </summary>
internal sealed class BatchRequestReader
{
    /// <summary>The largest single value (one item, the options, the directory) accepted.</summary>
    public const int MaxValueBytes = 1024 * 1024;

    private const int InitialBuffer = 64 * 1024;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    private enum Phase
    {
        Start,
        Object,
        Items,
        Done,
    }

    private readonly List<(int Index, BatchItemRequest? Item, string? Error)> _pending = [];
    private Phase _phase;
    private int _nextIndex;

    public string? Name { get; private set; }
    public string? Op { get; private set; }
    public BatchDirectory? Directory { get; private set; }
    public BatchOptions? Options { get; private set; }

    /// <summary>Whether the body had an <c>items</c> array.</summary>
    public bool HasItems { get; private set; }

    /// <summary>The body is JSON but not an object.</summary>
    public bool NotAnObject { get; private set; }

    /// <summary>Items read (valid or not).</summary>
    public int ItemCount => _nextIndex;

    /// <summary>Field → message for what could not be read (shape errors); syntax errors end the read.</summary>
    public List<(string Field, string Message)> Errors { get; } = [];

    /// <summary>
    /// Reads the body. <paramref name="onItem"/> gets each item (null with an error when it is not an object of the
    /// right shape) and returns false to stop reading (enough errors, too many items). Returns false with a message when
    /// the body is not valid JSON or not an object.
    /// </summary>
    public async Task<(bool Ok, string? Error)> ReadAsync(Stream body, Func<int, BatchItemRequest?, string?, ValueTask<bool>> onItem,
        CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        var length = 0;
        var final = false;
        var state = new JsonReaderState(ReaderOptions);
        try
        {
            while (true)
            {
                if (!final && length < buffer.Length)
                {
                    var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        final = true;
                    }

                    length += read;
                }

                int consumed;
                try
                {
                    consumed = Process(buffer.AsSpan(0, length), final, ref state);
                }
                catch (JsonException ex)
                {
                    return (false, $"The body is not valid JSON (line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}).");
                }

                foreach (var (index, item, error) in _pending)
                {
                    if (!await onItem(index, item, error).ConfigureAwait(false))
                    {
                        _pending.Clear();
                        return (true, null);
                    }
                }

                _pending.Clear();
                if (_phase == Phase.Done)
                {
                    return (true, null);
                }

                if (final && consumed == 0)
                {
                    return (false, _phase == Phase.Start ? "The body is empty: send a JSON object with items or directory." : "The body ends before the JSON is complete.");
                }

                if (consumed > 0)
                {
                    Buffer.BlockCopy(buffer, consumed, buffer, 0, length - consumed);
                    length -= consumed;
                }
                else if (length == buffer.Length)
                {
                    if (buffer.Length >= MaxValueBytes)
                    {
                        return (false, $"A single value in the body is larger than {MaxValueBytes} bytes.");
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    Buffer.BlockCopy(buffer, 0, larger, 0, length);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads every complete unit in <paramref name="data"/>; returns the bytes consumed (the rest waits for more).</summary>
    private int Process(ReadOnlySpan<byte> data, bool final, ref JsonReaderState state)
    {
        var reader = new Utf8JsonReader(data, final, state);
        var consumed = 0;
        while (_phase != Phase.Done)
        {
            var saved = reader;
            if (!Step(ref reader))
            {
                reader = saved;
                break;
            }

            consumed = (int)reader.BytesConsumed;
            state = reader.CurrentState;
        }

        return consumed;
    }

    /// <summary>One unit: a token, or a property with its whole value, or one whole item. False when the data ends inside it.</summary>
    private bool Step(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return false;
        }

        switch (_phase)
        {
            case Phase.Start:
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    NotAnObject = true;
                    _phase = Phase.Done;
                    return true;
                }

                _phase = Phase.Object;
                return true;

            case Phase.Object:
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    _phase = Phase.Done;
                    return true;
                }

                var name = reader.GetString() ?? string.Empty;
                if (!reader.Read())
                {
                    return false;
                }

                if (name.Equals("items", StringComparison.OrdinalIgnoreCase) && reader.TokenType == JsonTokenType.StartArray)
                {
                    HasItems = true;
                    _phase = Phase.Items;
                    return true;
                }

                var probe = reader;
                if (!probe.TrySkip())
                {
                    return false;
                }

                ReadProperty(name, ref reader);
                return true;

            case Phase.Items:
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    _phase = Phase.Object;
                    return true;
                }

                var element = reader;
                if (!element.TrySkip())
                {
                    return false;
                }

                var index = _nextIndex++;
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    _pending.Add((index, null, "An item must be an object with op, source and (for copyfile and movefile) destination."));
                    _ = reader.TrySkip();
                    return true;
                }

                var copy = reader;
                try
                {
                    _pending.Add((index, JsonSerializer.Deserialize(ref copy, RcmdJsonContext.Default.BatchItemRequest), null));
                }
                catch (JsonException)
                {
                    _pending.Add((index, null, "An item's op, source and destination must be strings."));
                }

                _ = reader.TrySkip();
                return true;

            default:
                return true;
        }
    }

    private void ReadProperty(string name, ref Utf8JsonReader reader)
    {
        var copy = reader;
        try
        {
            switch (name.ToLowerInvariant())
            {
                case "name":
                    Name = reader.TokenType == JsonTokenType.Null ? null : JsonSerializer.Deserialize(ref copy, RcmdJsonContext.Default.String);
                    break;
                case "op":
                    Op = reader.TokenType == JsonTokenType.Null ? null : JsonSerializer.Deserialize(ref copy, RcmdJsonContext.Default.String);
                    break;
                case "directory":
                    Directory = JsonSerializer.Deserialize(ref copy, RcmdJsonContext.Default.BatchDirectory);
                    break;
                case "options":
                    Options = JsonSerializer.Deserialize(ref copy, RcmdJsonContext.Default.BatchOptions);
                    break;
                case "items":
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        Errors.Add(("items", "Items must be an array of objects."));
                    }

                    break;
                default:
                    break; // unknown fields are ignored, as for jobs
            }
        }
        catch (JsonException ex)
        {
            var path = ex.Path is { Length: > 1 } p && p.StartsWith("$.", StringComparison.Ordinal) ? $"{name}.{p[2..]}" : name;
            Errors.Add((path, $"'{path}' has a value of the wrong kind."));
        }

        _ = reader.TrySkip();
    }
}
