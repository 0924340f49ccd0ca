namespace Rcmd.Testing;

public static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        Exception? last = null;
        while (!cts.IsCancellationRequested)
        {
            try
            {
                if (await condition().ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception ex)
            {
                last = ex;
            }

            try
            {
                await Task.Delay(50, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}."
            + (last is null ? "" : $" Last error: {last.Message}") + (diagnostics is null ? "" : "\n" + diagnostics()));
    }
}
