using System.Text.Json;

namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary><c>runs --status/--agent/--limit</c>.</summary>
public sealed class RunsFilterTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private async Task<string[]> ListedAsync(params string[] args)
    {
        var listed = await _cli.Cli(["runs", "--json", .. args]);
        Assert.True(listed.Exit == ExitCodes.Success, listed.All);
        return [.. JsonDocument.Parse(listed.Out).RootElement.EnumerateArray().Select(r => r.GetProperty("run_id").GetString()!)];
    }

    [Fact]
    public async Task Runs_filter_by_status_agent_and_limit()
    {
        var done = (await _cli.Cli("run", "researcher", "Use read_file on README.md")).RunId;
        var waiting = (await _cli.Cli("run", "researcher", "Use read_file on README.md", "--autonomy", "manual", "--no-input")).RunId;
        var sketch = (await _cli.Cli("run", "architect", "Sketch a cache")).RunId;

        Assert.Equal([sketch, done], await ListedAsync("--status", "completed"));
        Assert.Equal([waiting], await ListedAsync("--status", "awaiting_approval"));
        Assert.Equal([sketch], await ListedAsync("--agent", "architect"));
        Assert.Equal([waiting, done], await ListedAsync("--agent", "researcher"));
        Assert.Equal([sketch], await ListedAsync("--limit", "1"));
        Assert.Empty(await ListedAsync("--status", "interrupted"));
    }

    [Theory]
    [InlineData(new[] { "--status", "done" }, "error: --status 'done' is not a run status; expected one of running, awaiting_approval, completed, failed, cancelled, max_iterations, budget_exceeded, incomplete, interrupted.")]
    [InlineData(new[] { "--limit", "0" }, "error: --limit 0 must be at least 1.")]
    public async Task Bad_filters_are_named_and_exit_2(string[] args, string message)
    {
        var listed = await _cli.Cli(["runs", .. args]);

        Assert.Equal(ExitCodes.BadInput, listed.Exit);
        Assert.Equal(message, listed.Err.Trim());
    }
}
