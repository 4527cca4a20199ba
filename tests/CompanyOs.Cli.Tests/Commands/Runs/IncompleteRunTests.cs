namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary>A run whose final answer was cut off is shown as incomplete, never as completed, and exits 4.</summary>
public sealed class IncompleteRunTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task An_answer_cut_at_the_output_token_limit_is_shown_incomplete_and_exits_4()
    {
        var config = _cli.CopyConfiguration();
        var agent = Path.Combine(Path.GetDirectoryName(config)!, "agents", "researcher.yaml");
        var yaml = await File.ReadAllTextAsync(agent, TestContext.Current.CancellationToken);
        // The emulator cuts its answer at max_output_tokens and reports finish reason length, as real providers do.
        await File.WriteAllTextAsync(agent, yaml.Replace("max_output_tokens: 4096", "max_output_tokens: 3", StringComparison.Ordinal), TestContext.Current.CancellationToken);

        var run = await _cli.Cli("run", "researcher", "Summarise event sourcing", "--config", config, "--no-input");

        Assert.Equal(ExitCodes.RunNotCompleted, run.Exit);
        Assert.Contains($"incomplete · run {run.RunId}", run.Out, StringComparison.Ordinal);
        Assert.Contains("error: the model's answer was cut off at its output token limit (finish reason length)", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain($"completed · run {run.RunId}", run.Out, StringComparison.Ordinal);
        var types = await _cli.TypesAsync(run.RunId);
        Assert.Contains("RunIncomplete", types);
        Assert.DoesNotContain("RunCompleted", types);

        var json = await _cli.Cli("runs", "show", run.RunId, "--json");
        Assert.Contains("\"status\":\"incomplete\"", json.Out, StringComparison.Ordinal);
    }
}
