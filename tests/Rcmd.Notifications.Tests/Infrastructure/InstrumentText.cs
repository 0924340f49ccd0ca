using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Rcmd.ServiceDefaults.Metrics;

/// <summary>
/// <c>/metrics</c> in the Prometheus text exposition format (0.0.4), from the process's <see cref="System.Diagnostics.Metrics"/>
/// instruments (the OpenTelemetry Prometheus exporter is not on this package source). A <see cref="MeterListener"/>
/// aggregates the measurements of the meters named in <see cref="DefaultMeters"/> — created by this host's
/// <see cref="IMeterFactory"/>, or static (no scope) — and <see cref="Scrape"/> writes them:
/// <list type="bullet">
/// <item>Counter, ObservableCounter → <c>counter</c>, named <c>…_total</c> (no second suffix when the name has one);</item>
/// <item>UpDownCounter (running sum), ObservableUpDownCounter, ObservableGauge, Gauge → <c>gauge</c>;</item>
/// <item>Histogram → <c>histogram</c>: cumulative <c>_bucket{le=…}</c> (the instrument's advised boundaries, else
/// OpenTelemetry's defaults), <c>_sum</c>, <c>_count</c>.</item>
/// </list>
/// Names and label names are sanitized (<c>http.server.request.duration</c> → <c>http_server_request_duration_seconds</c>:
/// units <c>s</c>, <c>ms</c>, <c>By</c> become suffixes), label values escaped, labels sorted, one <c># HELP</c> (when
/// the instrument has a description) and <c># TYPE</c> per family. Observable instruments are read at each scrape.
/// </summary>
public sealed class PrometheusCollector : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Rcmd's meter and the built-in ASP.NET Core, Kestrel, HttpClient and runtime meters.</summary>
    public static IReadOnlyList<string> DefaultMeters { get; } =
        ["Rcmd", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "System.Runtime"];

    /// <summary>OpenTelemetry's default histogram boundaries, for histograms that advise none.</summary>
    public static IReadOnlyList<double> DefaultBuckets { get; } = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<Instrument, Family> _families = new();
    private readonly HashSet<string> _meters;
    private readonly object? _scope;
    private readonly Lock _scrape = new();

    /// <param name="meterFactory">This host's factory: meters it created are collected, those of other hosts in the process are not.</param>
    /// <param name="meters">The meter names to collect (default <see cref="DefaultMeters"/>).</param>
    public PrometheusCollector(IMeterFactory? meterFactory = null, IEnumerable<string>? meters = null)
    {
        _scope = meterFactory;
        _meters = new HashSet<string>(meters ?? DefaultMeters, StringComparer.Ordinal);
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (_meters.Contains(instrument.Meter.Name) && (instrument.Meter.Scope is null || ReferenceEquals(instrument.Meter.Scope, _scope))
                    && Family.For(instrument) is { } family)
                {
                    _families[instrument] = family;
                    listener.EnableMeasurementEvents(instrument, family);
                }
            },
            MeasurementsCompleted = (instrument, _) => _families.TryRemove(instrument, out Family? _),
        };
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>((_, value, tags, state) => ((Family)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments and writes every family in the text format.</summary>
    public string Scrape()
    {
        lock (_scrape)
        {
            foreach (var family in _families.Values.Where(f => f.Observable))
            {
                family.Clear();
            }

            _listener.RecordObservableInstruments();
            var text = new StringBuilder(16 * 1024);
            foreach (var group in _families.Values.GroupBy(f => f.Name, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var first = group.First();
                if (!string.IsNullOrEmpty(first.Help))
                {
                    text.Append("# HELP ").Append(first.Name).Append(' ').Append(EscapeHelp(first.Help)).Append('\n');
                }

                text.Append("# TYPE ").Append(first.Name).Append(' ').Append(first.Type).Append('\n');
                foreach (var family in group.Where(f => f.Type == first.Type))
                {
                    family.WriteTo(text);
                }
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    internal static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Label values: backslash, double quote and line feed escaped.</summary>
    internal static string EscapeLabel(string value) =>
        value.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    /// <summary>HELP text: backslash and line feed escaped.</summary>
    internal static string EscapeHelp(string value) =>
        value.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    /// <summary><c>[a-zA-Z_:][a-zA-Z0-9_:]*</c> for metric names, without ':' for label names.</summary>
    internal static string Sanitize(string name, bool label)
    {
        var result = new StringBuilder(name.Length + 1);
        foreach (var c in name)
        {
            result.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || (!label && c == ':') ? c : '_');
        }

        if (result.Length == 0 || char.IsAsciiDigit(result[0]))
        {
            result.Insert(0, '_');
        }

        return result.ToString();
    }

    /// <summary>One instrument's series.</summary>
    private sealed class Family
    {
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);

        // The series of a tag set as it arrives (same keys, values and order): a measurement finds its series without
        // rendering its labels (sanitizing, escaping, sorting), which is done once per tag set.
        private readonly ConcurrentDictionary<TagSet, Series> _byTags = new();
        private readonly double[]? _bounds;
        private readonly string[]? _le;
        private readonly bool _sum;

        private Family(string name, string type, string? help, bool observable, bool sum, double[]? bounds)
        {
            Name = name;
            Type = type;
            Help = help;
            Observable = observable;
            _sum = sum;
            _bounds = bounds;
            _le = bounds is null ? null : [.. bounds.Select(Format), "+Inf"];
        }

        public string Name { get; }

        public string Type { get; }

        public string? Help { get; }

        public bool Observable { get; }

        public static Family? For(Instrument instrument)
        {
            var kind = instrument.GetType().IsGenericType ? instrument.GetType().GetGenericTypeDefinition() : null;
            var name = Sanitize(instrument.Name, label: false);
            var suffix = instrument.Unit switch { "s" => "_seconds", "ms" => "_milliseconds", "By" => "_bytes", _ => null };
            if (suffix is not null && !name.EndsWith(suffix, StringComparison.Ordinal) && !name.EndsWith(suffix + "_total", StringComparison.Ordinal))
            {
                name += suffix;
            }

            var help = instrument.Description;
            if (kind == typeof(Counter<>) || kind == typeof(ObservableCounter<>))
            {
                return new Family(name.EndsWith("_total", StringComparison.Ordinal) ? name : name + "_total", "counter", help,
                    observable: kind == typeof(ObservableCounter<>), sum: kind == typeof(Counter<>), bounds: null);
            }

            if (kind == typeof(UpDownCounter<>))
            {
                return new Family(name, "gauge", help, observable: false, sum: true, bounds: null);
            }

            if (kind == typeof(ObservableUpDownCounter<>) || kind == typeof(ObservableGauge<>) || kind == typeof(Gauge<>))
            {
                return new Family(name, "gauge", help, observable: kind != typeof(Gauge<>), sum: false, bounds: null);
            }

            if (kind == typeof(Histogram<>))
            {
                var bounds = instrument switch
                {
                    Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
                    Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
                    Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
                    Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
                    _ => null,
                };
                return new Family(name, "histogram", help, observable: false, sum: false, bounds: bounds ?? [.. DefaultBuckets]);
            }

            return null;
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var key = new TagSet(tags.ToArray());
            if (!_byTags.TryGetValue(key, out var series))
            {
                series = _series.GetOrAdd(Labels(tags), static (_, bounds) => new Series(bounds), _bounds);
                _byTags.TryAdd(key, series);
            }

            lock (series)
            {
                if (series.Buckets is { } buckets)
                {
                    var i = 0;
                    while (i < _bounds!.Length && value > _bounds[i])
                    {
                        i++;
                    }

                    buckets[i]++;
                    series.Sum += value;
                    series.Count++;
                }
                else
                {
                    series.Value = _sum ? series.Value + value : value;
                }
            }
        }

        public void Clear()
        {
            _byTags.Clear();
            _series.Clear();
        }

        public void WriteTo(StringBuilder text)
        {
            foreach (var (labels, series) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                lock (series)
                {
                    if (series.Buckets is not { } buckets)
                    {
                        text.Append(Name).Append(Braces(labels)).Append(' ').Append(Format(series.Value)).Append('\n');
                        continue;
                    }

                    var prefix = labels.Length == 0 ? "{" : "{" + labels + ",";
                    long cumulative = 0;
                    for (var i = 0; i < _le!.Length; i++)
                    {
                        cumulative += buckets[i];
                        text.Append(Name).Append("_bucket").Append(prefix).Append("le=\"").Append(_le[i]).Append("\"} ")
                            .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    }

                    text.Append(Name).Append("_sum").Append(Braces(labels)).Append(' ').Append(Format(series.Sum)).Append('\n');
                    text.Append(Name).Append("_count").Append(Braces(labels)).Append(' ')
                        .Append(series.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }
            }
        }

        private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";

        /// <summary>The series key and its rendering at once: <c>a="x",b="y"</c>, sorted by label name.</summary>
        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            switch (tags.Length)
            {
                case 0:
                    return "";
                case 1:
                    return Label(tags[0]);
            }

            var sorted = tags.ToArray();
            Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            var text = new StringBuilder();
            foreach (var tag in sorted)
            {
                if (text.Length > 0)
                {
                    text.Append(',');
                }

                text.Append(Label(tag));
            }

            return text.ToString();
        }

        private static string Label(KeyValuePair<string, object?> tag) =>
            Sanitize(tag.Key, label: true) + "=\"" + EscapeLabel(Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "") + "\"";
    }

    /// <summary>A measurement's tags compared by key (ordinal) and value (<see cref="object.Equals(object, object)"/>), in order.</summary>
    private readonly struct TagSet(KeyValuePair<string, object?>[] tags) : IEquatable<TagSet>
    {
        private readonly KeyValuePair<string, object?>[] _tags = tags;

        public bool Equals(TagSet other)
        {
            if (_tags.Length != other._tags.Length)
            {
                return false;
            }

            for (var i = 0; i < _tags.Length; i++)
            {
                if (!string.Equals(_tags[i].Key, other._tags[i].Key, StringComparison.Ordinal) || !Equals(_tags[i].Value, other._tags[i].Value))
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => obj is TagSet other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var (key, value) in _tags)
            {
                hash.Add(key, StringComparer.Ordinal);
                hash.Add(value);
            }

            return hash.ToHashCode();
        }
    }

    private sealed class Series(double[]? bounds)
    {
        public long[]? Buckets { get; } = bounds is null ? null : new long[bounds.Length + 1];

        public double Value { get; set; }

        public double Sum { get; set; }

        public long Count { get; set; }
    }
}
