using Rcmd.AppHost.Orchestration;

namespace Rcmd.AppHost.Tests.Orchestration;

public class ConsoleOutputTests
{
    [Fact]
    public void ChildLine_PrefixesWithThePaddedName()
    {
        var (output, written, _) = Create();
        output.UseNames(["api", "worker-1"]);

        output.ChildLine("api", "Now listening");
        output.ChildLine("worker-1", "started");

        Assert.Equal(["api      | Now listening", "worker-1 | started"], Lines(written));
    }

    [Fact]
    public void EveryWriter_MasksARegisteredSecret()
    {
        var (output, written, errors) = Create();
        const string secret = "0123456789abcdef0123456789abcdef";
        output.AddSecret(secret);

        output.ChildLine("rclone", $"--rc-pass {secret}");
        output.Info($"password {secret}");
        output.Lines([$"x{secret}x"]);
        output.Error($"failed with {secret}");

        Assert.DoesNotContain(secret, written.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, errors.ToString(), StringComparison.Ordinal);
        Assert.Contains("rclone   | --rc-pass ***", Lines(written));
    }

    [Fact]
    public void Color_Off_WritesPlainText()
    {
        var (output, written, _) = Create();

        output.Info("ready");

        Assert.Equal(["rcmd: ready"], Lines(written));
        Assert.Equal("web", output.Highlight("web"));
    }

    private static (ConsoleOutput Output, StringWriter Written, StringWriter Errors) Create()
    {
        var written = new StringWriter();
        var errors = new StringWriter();
        return (new ConsoleOutput(written, errors, color: false), written, errors);
    }

    private static string[] Lines(StringWriter writer) => writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
}
