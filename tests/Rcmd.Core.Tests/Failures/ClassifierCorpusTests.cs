using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Rcmd.Failures;
using Rcmd.Rclone;
using Rcmd.Testing;

namespace Rcmd.Core.Tests.Failures;

/// <summary>
/// The classifier against the corpus (Corpus/*.json): real messages, each with its expected code (issue 16's labelling
/// rules) and its source — reproduced with Debian's rclone 1.60.1 against loopback fakes (tools/failure-corpus),
/// quoted from public rclone issues (the issue's URL is the source), and the legacy corpus of issue 3 (rclone 1.60.1
/// reproductions, rclone's source and docs, real or constructed .NET exceptions).
/// <para>
/// Two figures: the score on every row (rules were written from the <c>train</c> rows, so this one flatters), and the
/// generalization score on the <c>heldout</c> rows — whole backends and sources no rule was written from (see
/// tools/failure-corpus/README.md for the protocol). The held-out rows are scored in aggregate, not row by row.
/// </para>
/// </summary>
public sealed class ClassifierCorpusTests(ITestOutputHelper output)
{
    private const double RequiredAccuracy = 0.95;

    /// <summary>
    /// A drop of the held-out score below this fails. With the rules frozen at 145d11b the held-out rows scored 92.5 %
    /// as first labelled, 96 % after harness and labelling faults were fixed (tools/failure-corpus/README.md); rules
    /// were then fixed from the misses, so today's figure is a regression guard, not a generalization score.
    /// </summary>
    private const double HeldOutFloor = 0.99;

    public static TheoryData<int, string, string> Rows()
    {
        var data = new TheoryData<int, string, string>();
        var rows = Corpus.Value;
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Split != Train)
            {
                continue;
            }

            var preview = rows[i].Message.ReplaceLineEndings(" ");
            data.Add(i, rows[i].Expected, preview.Length <= 80 ? preview : preview[..80]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Corpus_Row_ClassifiedAsExpected(int index, string expected, string preview)
    {
        var row = Corpus.Value[index];
        var classification = await ClassifyAsync(row);
        if (row.KnownMiss is not null)
        {
            // A documented limitation: it counts as a miss in the accuracy figure, and must not silently change.
            Assert.True(row.KnownActual == classification.Code,
                $"row {index} is a known miss ({row.KnownMiss}) expected to stay {row.KnownActual}, got {classification.Code}");
            return;
        }

        Assert.True(expected == classification.Code,
            $"row {index} ({row.Source}): expected {expected}, got {classification.Code} ({classification.Evidence} [{classification.EvidenceLayer}]) for: {preview}");
    }

    [Fact]
    public async Task Corpus_AllRows_AccuracyAtLeast95PercentPerCodeReported()
    {
        var rows = Corpus.Value;
        Assert.True(rows.Count >= 600, $"the corpus needs at least 600 rows, has {rows.Count}");
        Assert.All(rows, r => Assert.False(string.IsNullOrWhiteSpace(r.Source), $"row without a source: {r.Message}"));
        Assert.All(rows, r => Assert.Contains(r.Expected, ErrorCodes.All));

        var (accuracy, retryable, report) = await ScoreAsync(rows, listMisses: true);
        output.WriteLine("Every row (the rules were written from the train rows):");
        output.WriteLine(report);
        output.WriteLine(Origins(rows));
        Assert.True(accuracy >= RequiredAccuracy, $"accuracy {accuracy:P1} is below {RequiredAccuracy:P0}\n{report}");
        Assert.True(retryable >= 0.99, $"retryable right on {retryable:P1} only\n{report}");
    }

    /// <summary>
    /// Messages quoted from public issues, each set gathered and labelled by someone who had not read the rules
    /// (tools/failure-corpus/fresh-quotes-*.md) after the rules froze, scored as they came, misses listed. The score of
    /// the frozen rules on each set is the generalization figure (code / retryable, all rows; unambiguous rows in brackets):
    /// 12a at 4b73cfd 78.4 % / 97.3 % (86.2 / 99.3), 12b at d76110d 76.2 % / 97.0 % (83.1 / 98.3), 12c at 7bcf002
    /// 71.8 % / 93.5 % (82.6 / 98.6), 12d at 47d4326 79.5 % / 98.7 % (89.7 / 100); and rclone's own output against loopback fakes of seven backends
    /// never faked before (reproduced-2026-12d, tools/failure-corpus/new-backends), at 47d4326 94.1 % / 98.5 %; and rclone's
    /// own output against MITM fakes of ten backends with fixed API hosts (reproduced-2026-12e, tools/failure-corpus/mitm),
    /// at e7d98d4 94.9 % / 99.9 %, and against MITM fakes of eleven more backends by three other authors
    /// (reproduced-2026-12f) at 3f4e5fc 94.7 % / 99.6 %; 12g (quotes from other projects' docs, fixtures and logs) at
    /// 0f35486 74.4 % / 94.2 % (79.3 / 96.6); 12h (the same kind of source) at 8fa2829 70.5 % / 93.4 % (87.5 / 93.8);
    /// 12i (36 rows) at d812bdc 88.9 % / 100 % (95.2 / 100). Rules were then fixed from each set's misses, so the floors below are regression guards at today's
    /// scores, not generalization scores.
    /// </summary>
    [Theory]
    [InlineData(HeldOut, HeldOutFloor, HeldOutFloor)]
    [InlineData("issues-2026-12a", 0.94, 0.99)]
    [InlineData("issues-2026-12b", 0.92, 0.98)]
    [InlineData("issues-2026-12c", 0.88, 0.97)]
    [InlineData("issues-2026-12d", 0.85, 0.98)]
    [InlineData("reproduced-2026-12d", 0.96, 0.98)]
    [InlineData("reproduced-2026-12e", 0.99, 0.99)]
    [InlineData("reproduced-2026-12f", 0.99, 0.99)]
    [InlineData("issues-2026-12g", 0.91, 0.98)]
    [InlineData("issues-2026-12h", 0.83, 0.96)]
    [InlineData("issues-2026-12i", 0.97, 0.99)]
    public async Task Corpus_QuotedAfterAFreeze_ScoreReported(string split, double codeFloor, double retryableFloor)
    {
        var rows = RowsOf(split);
        Assert.True(rows.Count >= 30, $"the {split} part needs at least 30 rows, has {rows.Count}");
        var (accuracy, retryable, report) = await ScoreAsync(rows, listMisses: true);
        output.WriteLine($"{split} (no rule was written from these rows when they were first scored):");
        output.WriteLine(report);
        var clear = rows.Where(r => !r.Ambiguous).ToList();
        var (clearAccuracy, clearRetryable, _) = await ScoreAsync(clear, listMisses: false);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"unambiguous rows only: {clear.Count} rows, {100 * clearAccuracy:0.0}% code, {100 * clearRetryable:0.0}% retryable"));
        output.WriteLine(Origins(rows));
        Assert.True(accuracy >= codeFloor, $"{split} accuracy {accuracy:P1} fell below {codeFloor:P1}\n{report}");
        Assert.True(retryable >= retryableFloor, $"{split} retryable {retryable:P1} fell below {retryableFloor:P1}\n{report}");
    }

    /// <summary>
    /// Two people labelling the same fresh set agree on 85–92 % of the rows, so a score on every row is capped near there.
    /// The fair figure is the score on the rows both labellers called clear and labelled alike. With the rules frozen before
    /// each set was read, that score was 92.1 % (12a, 127 rows), 87.6 % (12b, 97), 85.7 % (12c, 63) and 91.3 % (12d, 46);
    /// on rclone's own output against the MITM fakes (reproduced-2026-12e: labels fixed by the injected fault, the second
    /// labeller agrees on 98.9 %) it was 97.4 % (720 rows) at e7d98d4; on reproduced-2026-12f 96.9 % (643 rows, 100 %
    /// retryable) at 3f4e5fc; on 12g 81.8 % (55 rows) at 0f35486; on 12h 87.1 % (31 rows) at 8fa2829; on 12i 95.2 % (21
    /// rows) at d812bdc. The floors below are today's scores, a regression guard.
    /// </summary>
    [Theory]
    [InlineData("issues-2026-12a", 0.90, 0.99)]
    [InlineData("issues-2026-12b", 0.84, 0.98)]
    [InlineData("issues-2026-12c", 0.87, 0.99)]
    [InlineData("issues-2026-12d", 0.92, 0.97)]
    [InlineData("reproduced-2026-12e", 0.98, 0.99)]
    [InlineData("reproduced-2026-12f", 0.99, 0.99)]
    [InlineData("issues-2026-12g", 0.94, 0.99)]
    [InlineData("issues-2026-12h", 0.93, 0.99)]
    [InlineData("issues-2026-12i", 0.94, 0.99)]
    public async Task Corpus_RowsTwoLabellersAgreeOn_ScoreReported(string split, double agreementFloor, double codeFloor)
    {
        var rows = RowsOf(split);
        Assert.All(rows, r => Assert.True(r.Second is not null, $"{split} row without a second label: {r.Message}"));
        var agreed = rows.Count(r => r.Second!.Expected == r.Expected);
        var clear = rows.Where(r => !r.Ambiguous && !r.Second!.Ambiguous && r.Second.Expected == r.Expected).ToList();
        var (accuracy, retryable, report) = await ScoreAsync(clear, listMisses: true);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{split}: the two labellers agree on {agreed} of {rows.Count} rows ({100.0 * agreed / rows.Count:0.0}%); both call {clear.Count} rows clear and agree:"));
        output.WriteLine(report);
        Assert.True((double)agreed / rows.Count >= agreementFloor, $"{split}: labels agree on {agreed} of {rows.Count} only");
        Assert.True(accuracy >= codeFloor, $"{split} accuracy on the rows both labellers agree on {accuracy:P1} fell below {codeFloor:P1}\n{report}");
        Assert.True(retryable >= 0.99, $"{split} retryable on the rows both labellers agree on {retryable:P1}\n{report}");
    }

    [Fact]
    public void Corpus_EveryCode_HasRows()
    {
        var codes = Corpus.Value.Select(r => r.Expected).ToHashSet(StringComparer.Ordinal);
        var missing = ErrorCodes.All.Where(c => !codes.Contains(c)).ToList();
        Assert.True(missing.Count == 0, "codes with no corpus row: " + string.Join(", ", missing));
    }

    private static List<CorpusRow> RowsOf(string split) => Corpus.Value.Where(r => r.Split == split).ToList();

    private const string HeldOut = "heldout";
    private const string Train = "train";

    private static async Task<(double Accuracy, double Retryable, string Report)> ScoreAsync(IReadOnlyList<CorpusRow> rows, bool listMisses)
    {
        var results = new List<(CorpusRow Row, Classification Actual)>();
        foreach (var row in rows)
        {
            results.Add((row, await ClassifyAsync(row)));
        }

        var report = new StringBuilder().AppendLine(CultureInfo.InvariantCulture, $"{"code",-30} {"rows",5} {"right",6} {"accuracy",9} {"retryable",10}");
        foreach (var group in results.GroupBy(r => r.Row.Expected).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var right = group.Count(r => r.Actual.Code == r.Row.Expected);
            var retry = group.Count(r => r.Actual.Retryable == FailureClassifier.IsRetryableByDefault(r.Row.Expected));
            report.AppendLine(CultureInfo.InvariantCulture, $"{group.Key,-30} {group.Count(),5} {right,6} {100.0 * right / group.Count(),8:0.0}% {100.0 * retry / group.Count(),9:0.0}%");
        }

        var total = results.Count(r => r.Actual.Code == r.Row.Expected);
        var retryRight = results.Count(r => r.Actual.Retryable == FailureClassifier.IsRetryableByDefault(r.Row.Expected));
        var accuracy = (double)total / results.Count;
        var retryable = (double)retryRight / results.Count;
        report.AppendLine(CultureInfo.InvariantCulture, $"{"overall",-30} {results.Count,5} {total,6} {100 * accuracy,8:0.0}% {100 * retryable,9:0.0}%");
        foreach (var (row, actual) in results.Where(r => r.Actual.Code != r.Row.Expected))
        {
            var why = row.KnownMiss is null ? "" : $" [known: {row.KnownMiss}]";
            var line = listMisses
                ? $"MISS expected {row.Expected} got {actual.Code} ({actual.Evidence} [{actual.EvidenceLayer}]): {row.Message.ReplaceLineEndings(" ")}{why}"
                : $"MISS expected {row.Expected} got {actual.Code} ({row.Origin}, {row.Backend})";
            report.AppendLine(line);
        }

        foreach (var group in results.GroupBy(r => r.Row.Origin.Split(':')[0]).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var right = group.Count(r => r.Actual.Code == r.Row.Expected);
            var retry = group.Count(r => r.Actual.Retryable == FailureClassifier.IsRetryableByDefault(r.Row.Expected));
            report.AppendLine(CultureInfo.InvariantCulture, $"origin {group.Key,-23} {group.Count(),5} {right,6} {100.0 * right / group.Count(),8:0.0}% {100.0 * retry / group.Count(),9:0.0}%");
        }

        return (accuracy, retryable, report.ToString());
    }

    private static string Origins(IReadOnlyList<CorpusRow> rows)
    {
        var text = new StringBuilder("rows by origin and backend:\n");
        foreach (var group in rows.GroupBy(r => $"{r.Origin.Split(':')[0]} / {r.Backend ?? "-"}").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {group.Key,-50} {group.Count(),5}");
        }

        return text.ToString();
    }

    private static Task<Classification> ClassifyAsync(CorpusRow row) =>
        row.Exception is null
            ? Task.FromResult(FailureClassifier.Default.Classify(row.Message, row.Status, row.Remote))
            : ClassifyExceptionAsync(row.Exception);

    private static async Task<Classification> ClassifyExceptionAsync(string kind)
    {
        var (exception, callerCanceled) = await ExceptionFactory.CreateAsync(kind);
        return FailureClassifier.Default.Classify(exception, remote: null, callerCanceled);
    }

    private static readonly Lazy<IReadOnlyList<CorpusRow>> Corpus = new(() =>
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Failures", "Corpus");
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var rows = new List<CorpusRow>();
        foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            rows.AddRange(JsonSerializer.Deserialize<List<CorpusRow>>(File.ReadAllText(file), options)
                ?? throw new InvalidOperationException($"{file} is empty"));
        }

        return rows;
    });

    /// <param name="Message">The error text as rclone, rcd or a launcher printed it.</param>
    /// <param name="Status">The HTTP status that came with it, when there was one.</param>
    /// <param name="Expected">The failure code the labelling rules give it.</param>
    /// <param name="Source">Where the message was seen (an issue, a reproduction script).</param>
    /// <param name="Backend">The rclone backend the message came from, when known.</param>
    /// <param name="Remote">The remote's name, when the message had one.</param>
    /// <param name="Exception">The .NET exception type, for messages that come from our own code.</param>
    /// <param name="LabelNote">Why the label is what it is, where the rules needed reading.</param>
    /// <param name="Origin">reproduced, issue, legacy corpus …: how the message was obtained.</param>
    /// <param name="Split"><c>train</c> (rules may be written from it, scored row by row); any other split is scored in aggregate (see <see cref="Corpus_QuotedAfterAFreeze_ScoreReported"/>).</param>
    /// <param name="Ambiguous">The labeller found two readings under the rules (the other is in <paramref name="LabelNote"/>).</param>
    /// <param name="KnownMiss">Why the classifier cannot get this row right; such rows count as misses.</param>
    /// <param name="KnownActual">What the classifier answers for a known miss.</param>
    /// <param name="Second">A second person's label of a fresh set's row (<see cref="Corpus_RowsTwoLabellersAgreeOn_ScoreReported"/>).</param>
    public sealed record CorpusRow(string Message, int? Status, string Expected, string Source, string Origin = "legacy", string Split = "train",
        string? Backend = null, string? Remote = null, string? Exception = null, string? KnownMiss = null, string? KnownActual = null, string? LabelNote = null,
        bool Ambiguous = false, SecondLabel? Second = null);

    /// <summary>
    /// The label a second person gave the same text, blind to the first label, the rules and the thread (fresh sets only;
    /// the brief is tools/failure-corpus/labelling-brief.md).
    /// </summary>
    public sealed record SecondLabel(string Expected, bool Ambiguous, string Reason);

    /// <summary>Makes the exceptions of the corpus; the "real:" ones by really failing against loopback.</summary>
    private static class ExceptionFactory
    {
        public static async Task<(Exception Exception, bool CallerCanceled)> CreateAsync(string kind) => kind switch
        {
            "socket-refused" => (CatchSync(() =>
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, FreePort.Next());
            }), false),
            "http-refused" => (await CatchAsync(async () =>
            {
                using var http = new HttpClient();
                using var content = new StringContent("{}");
                await http.PostAsync(new Uri($"http://127.0.0.1:{FreePort.Next()}/core/version"), content);
            }), false),
            "http-timeout" => (await WithListenerAsync(respond: false, async port =>
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };
                await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
            }), false),
            "http-response-ended" => (await WithListenerAsync(respond: true, async port =>
            {
                using var http = new HttpClient();
                await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
            }), false),
            "process-missing" => (CatchSync(() =>
            {
                using var process = Process.Start(new ProcessStartInfo("rclone-not-installed-" + Guid.NewGuid().ToString("N")) { UseShellExecute = false });
            }), false),
            "socket-host-not-found" => (new SocketException((int)SocketError.HostNotFound), false),
            "http-socket-timedout" => (new HttpRequestException("Connection timed out (storage.example:443)", new SocketException((int)SocketError.TimedOut)), false),
            "timeout" => (new TimeoutException("The operation has timed out."), false),
            "io-reset" => (new IOException("Unable to read data from the transport connection: Connection reset by peer."), false),
            "caller-canceled" => (new OperationCanceledException("The operation was canceled."), true),
            "rclone-exception" => (new RcloneException("operations/list", 404, "error in ListJSON: directory not found"), false),
            "unauthorized-access" => (new UnauthorizedAccessException("Access to the path '/data/logs/x.txt' is denied."), false),
            "file-not-found-rclone" => (new FileNotFoundException("Could not find file '/usr/local/bin/rclone'.", "/usr/local/bin/rclone"), false),
            "http-status-503" => (CatchSync(() =>
            {
                using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
                response.EnsureSuccessStatusCode();
            }), false),
            "aggregate-refused" => (new AggregateException(new SocketException((int)SocketError.ConnectionRefused)), false),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such exception kind in the corpus"),
        };

        private static Exception CatchSync(Action action)
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                return ex;
            }

            throw new InvalidOperationException("expected the action to fail");
        }

        private static async Task<Exception> CatchAsync(Func<Task> action)
        {
            try
            {
                await action();
            }
            catch (Exception ex)
            {
                return ex;
            }

            throw new InvalidOperationException("expected the action to fail");
        }

        /// <summary>A loopback listener that accepts and then either never answers or closes at once.</summary>
        private static async Task<Exception> WithListenerAsync(bool respond, Func<int, Task> action)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            using var stop = new CancellationTokenSource();
            var accepting = Task.Run(async () =>
            {
                var held = new List<TcpClient>();
                try
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var client = await listener.AcceptTcpClientAsync(stop.Token);
                        if (respond)
                        {
                            client.Client.LingerState = new LingerOption(true, 0);
                            client.Dispose();
                        }
                        else
                        {
                            held.Add(client);
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
                finally
                {
                    held.ForEach(c => c.Dispose());
                }
            });
            try
            {
                return await CatchAsync(() => action(port));
            }
            finally
            {
                await stop.CancelAsync();
                listener.Stop();
                await accepting;
            }
        }
    }
}
