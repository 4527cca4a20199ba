using System.Text.Json;
using CompanyOs.Agents.Leases;
using CompanyOs.Events.Sqlite;

namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary>What a tool returned is visible (a preview, all of it with --verbose); a run nobody drives any more says so in <c>runs</c>.</summary>
public sealed class ToolOutputAndInterruptionTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_tool_result_step_shows_a_bounded_preview_of_the_output()
    {
        var run = await _cli.Cli("run", "researcher", "Use read_file on README.md");

        Assert.True(run.Exit == ExitCodes.Success, run.All);
        var line = run.Out.Split('\n').Single(l => l.Contains("tool completed: read_file", StringComparison.Ordinal));
        Assert.Contains(" → # CompanyOS — LLM gateway and agent runtime for .NET", line, StringComparison.Ordinal);
        Assert.EndsWith("…", line.TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain("## What is here", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbose_shows_the_whole_tool_output_in_run_and_trace()
    {
        var run = await _cli.Cli("run", "researcher", "Use read_file on README.md", "--verbose");
        var trace = await _cli.Cli("trace", run.RunId, "-v");

        Assert.True(run.Exit == ExitCodes.Success, run.All);
        Assert.Contains("          │ ## What is here", run.Out, StringComparison.Ordinal);
        Assert.True(trace.Exit == ExitCodes.Success, trace.All);
        Assert.Contains("          │ ## What is here", trace.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_no_process_drives_is_listed_as_interrupted_with_the_resume_command()
    {
        var runId = await InterruptedRunAsync();

        var listed = await _cli.Cli("runs");
        var json = await _cli.Cli("runs", "--json");
        var trace = await _cli.Cli("trace", runId);

        Assert.Contains("interrupted (no live driver)", listed.Out, StringComparison.Ordinal);
        Assert.Contains($"{runId} was interrupted (no live driver); continue it with: companyos resume {runId} -c ", listed.Out, StringComparison.Ordinal);
        var only = JsonDocument.Parse(json.Out).RootElement.EnumerateArray().Single();
        Assert.Equal("running", only.GetProperty("status").GetString());
        Assert.True(only.GetProperty("interrupted").GetBoolean());
        var resume = only.GetProperty("resume_command").GetString()!;
        Assert.StartsWith($"companyos resume {runId} -c ", resume, StringComparison.Ordinal);
        Assert.Contains("interrupted (no live driver):", trace.Out, StringComparison.Ordinal);

        var resumed = await _cli.Raw(resume["companyos ".Length..].Split(' '), cancellationToken: Ct);
        Assert.True(resumed.Exit == ExitCodes.Success, resumed.All);
        Assert.DoesNotContain("interrupted", (await _cli.Cli("runs")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_whose_lease_is_held_by_a_live_process_is_listed_as_running()
    {
        var runId = await InterruptedRunAsync();
        await using (var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = _cli.Database }, cancellationToken: Ct))
        {
            var leases = new RunLeases(store, "another-host:42", TimeSpan.FromMinutes(5), TimeProvider.System);
            var (lease, _) = await leases.TryAcquireAsync(runId, null, Ct);
            Assert.NotNull(lease);
        }

        var json = await _cli.Cli("runs", "--json");

        var only = JsonDocument.Parse(json.Out).RootElement.EnumerateArray().Single();
        Assert.Equal("running", only.GetProperty("status").GetString());
        Assert.False(only.GetProperty("interrupted").GetBoolean());
        Assert.DoesNotContain("interrupted", (await _cli.Cli("runs")).Out, StringComparison.Ordinal);
    }

    /// <summary>A run stopped by Ctrl+C while it was being driven: stored as running, its lease released.</summary>
    private async Task<string> InterruptedRunAsync()
    {
        using var cancel = new CancellationTokenSource();
        using var output = new CancelWhenWritten("tool requested: read_file", cancel);
        var run = await _cli.Raw(["run", "researcher", "Use read_file on README.md", "--autonomy", "autonomous", "--db", _cli.Database], output, cancel.Token);
        Assert.True(run.Exit == ExitCodes.Interrupted, run.All);
        return run.RunId;
    }

    /// <summary>Output that cancels the invocation once a given text has been written (a Ctrl+C at a known step).</summary>
    private sealed class CancelWhenWritten(string trigger, CancellationTokenSource cancel) : StringWriter
    {
        public override void Write(string? value)
        {
            base.Write(value);
            if (!cancel.IsCancellationRequested && ToString().Contains(trigger, StringComparison.Ordinal))
            {
                cancel.Cancel();
            }
        }
    }
}
