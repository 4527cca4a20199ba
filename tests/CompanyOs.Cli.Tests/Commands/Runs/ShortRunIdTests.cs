namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary><c>runs</c> fits an 80-column terminal with short ids, and a unique prefix of a run id works wherever an id does.</summary>
public sealed class ShortRunIdTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Runs_at_80_columns_keeps_each_run_on_one_line_with_short_ids()
    {
        var first = await _cli.Cli("run", "researcher", "Use read_file on README.md and summarise every section of it in great detail for a new engineer");
        var second = await _cli.Cli("run", "researcher", "Use read_file on README.md", "--autonomy", "manual", "--no-input");
        _cli.TerminalWidth = 80;

        var listed = await _cli.Cli("runs");

        Assert.Equal(ExitCodes.Success, listed.Exit);
        var lines = listed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= 80, $"{l.Length} columns: {l}"));
        foreach (var run in new[] { first, second })
        {
            Assert.DoesNotContain(run.RunId, listed.Out, StringComparison.Ordinal);
            Assert.True(lines.Any(l => l.StartsWith(run.RunId[..12] + " ", StringComparison.Ordinal)), run.RunId + "\n" + listed.Out);
        }

        Assert.Contains(lines, l => l.Contains("awaiting_approval", StringComparison.Ordinal) && l.Contains("Use read", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_unique_prefix_of_a_run_id_works_for_trace_and_approve()
    {
        var run = await _cli.Cli("run", "researcher", "Use read_file on README.md", "--autonomy", "manual", "--no-input");
        var call = run.Command("companyos approve")[2];
        var prefix = run.RunId[..12];

        var trace = await _cli.Cli("trace", prefix);
        var approved = await _cli.Cli("approve", prefix, call);

        Assert.True(trace.Exit == ExitCodes.Success, trace.All);
        Assert.Contains($"run {run.RunId}", trace.Out, StringComparison.Ordinal);
        Assert.True(approved.Exit == ExitCodes.Success, approved.All);
        Assert.Contains($"completed · run {run.RunId}", approved.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_prefix_that_fits_several_runs_is_refused_listing_them()
    {
        var first = await _cli.Cli("run", "researcher", "Use read_file on README.md", "--autonomy", "manual", "--no-input");
        var second = await _cli.Cli("run", "researcher", "Use read_file on README.md", "--autonomy", "manual", "--no-input");

        var ambiguous = await _cli.Cli("resume", "run_");

        Assert.Equal(ExitCodes.BadInput, ambiguous.Exit);
        Assert.Contains("error: 'run_' fits 2 runs (", ambiguous.Err, StringComparison.Ordinal);
        Assert.Contains(first.RunId, ambiguous.Err, StringComparison.Ordinal);
        Assert.Contains(second.RunId, ambiguous.Err, StringComparison.Ordinal);
    }
}
