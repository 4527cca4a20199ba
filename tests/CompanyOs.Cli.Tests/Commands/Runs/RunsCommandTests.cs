using System.Text.Json;

namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary><c>runs</c>, <c>runs show</c> and <c>trace</c>: what is in the store, from the store alone.</summary>
public sealed class RunsCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Runs_lists_every_run_with_status_and_filters_by_org()
    {
        var done = await _cli.Cli("run", "researcher", "Summarise event sourcing", "--org", "acme");
        var waiting = await _cli.Cli("run", "implementer", "Use execute_code to print hello", "--org", "beta", "--no-input");

        var all = await _cli.Cli("runs", "--json");
        using var doc = JsonDocument.Parse(all.Out);
        var runs = doc.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("run_id").GetString()!);
        Assert.Equal(2, runs.Count);
        Assert.Equal("completed", runs[done.RunId].GetProperty("status").GetString());
        Assert.Equal("researcher", runs[done.RunId].GetProperty("agent_type").GetString());
        Assert.True(runs[done.RunId].GetProperty("cost_usd").GetDecimal() > 0m);
        Assert.Equal(2, runs[done.RunId].GetProperty("iterations").GetInt32());
        Assert.Equal("awaiting_approval", runs[waiting.RunId].GetProperty("status").GetString());
        Assert.Equal(1, runs[waiting.RunId].GetProperty("pending").GetInt32());

        var acme = await _cli.Cli("runs", "--org", "acme", "--json");
        Assert.Equal([done.RunId], JsonDocument.Parse(acme.Out).RootElement.EnumerateArray().Select(r => r.GetProperty("run_id").GetString()));

        var table = await _cli.Cli("runs");
        Assert.Equal(ExitCodes.Success, table.Exit);
        Assert.Contains(done.RunId, table.Out, StringComparison.Ordinal);
        Assert.Contains("awaiting_approval", table.Out, StringComparison.Ordinal);
        Assert.Contains("Use execute_code to print hello", table.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_and_trace_print_the_steps_and_the_pending_commands()
    {
        var waiting = await _cli.Cli("run", "implementer", "Use execute_code to print [red]hello[/]", "--no-input");

        var show = await _cli.Cli("runs", "show", waiting.RunId);
        Assert.True(show.Exit == ExitCodes.Success, show.All);
        Assert.Contains("run started: implementer — Use execute_code to print [red]hello[/]", show.Out, StringComparison.Ordinal);
        Assert.Contains("approval needed", show.Out, StringComparison.Ordinal);
        Assert.Contains($"companyos approve {waiting.RunId}", show.Out, StringComparison.Ordinal);

        var trace = await _cli.Cli("trace", waiting.RunId, "--json");
        using var doc = JsonDocument.Parse(trace.Out);
        var steps = doc.RootElement.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("event").GetString()).ToList();
        Assert.Equal(["RunStarted", "LlmCallCompleted", "AssistantMessage", "ToolCallRequested", "ApprovalRequested"], steps);
        Assert.Equal("execute_code", doc.RootElement.GetProperty("pending")[0].GetProperty("tool_name").GetString());
    }

    [Fact]
    public async Task Unknown_runs_and_missing_stores_are_named()
    {
        var empty = await _cli.Cli("runs", "--json");
        Assert.Equal(ExitCodes.Success, empty.Exit);
        Assert.Equal("[]", empty.Out.Trim());

        var noStore = await _cli.Cli("trace", "run_x");
        Assert.Equal(ExitCodes.BadInput, noStore.Exit);
        Assert.Contains("no event store at", noStore.Err, StringComparison.Ordinal);

        await _cli.Cli("run", "architect", "Sketch a cache");
        var unknown = await _cli.Cli("runs", "show", "run_missing");
        Assert.Equal(ExitCodes.BadInput, unknown.Exit);
        Assert.Contains($"unknown run 'run_missing' in {_cli.Database}", unknown.Err, StringComparison.Ordinal);

        var bad = await _cli.Cli("resume", "has spaces");
        Assert.Equal(ExitCodes.BadInput, bad.Exit);
        Assert.Contains("'has spaces' is not a run id", bad.Err, StringComparison.Ordinal);
    }
}
