namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary><c>companyos run &lt;agent&gt; --capability NAME --var k=v</c>: the capability's template is the task.</summary>
public sealed class CapabilityRunTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_capability_run_renders_its_template_as_the_task_and_records_the_prompt()
    {
        var run = await _cli.Cli("run", "researcher", "--capability", "literature_review", "--var", "topic=event sourcing");

        Assert.True(run.Exit == ExitCodes.Success, run.All);
        Assert.Contains("Please conduct a literature review on: event sourcing", run.Out, StringComparison.Ordinal);
        var started = (await _cli.EventsAsync(run.RunId))[0];
        Assert.Equal("RunStarted", started.Type);
        Assert.Equal("literature_review", started.Data.GetProperty("capability").GetString());
        Assert.Equal("researcher/literature_review", started.Data.GetProperty("prompt_name").GetString());
        Assert.Equal("1.1", started.Data.GetProperty("prompt_version").GetString());
        Assert.StartsWith("Please conduct a literature review on: event sourcing", started.Data.GetProperty("task").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--capability", "nope", "--var", "topic=x" }, "Agent 'researcher' has no capability 'nope' (known: literature_review).")]
    [InlineData(new[] { "--capability", "literature_review" }, "missing required variable 'topic'")]
    [InlineData(new[] { "--capability", " " }, "--capability must name a capability")]
    public async Task A_bad_capability_or_a_missing_variable_is_named_and_exits_2(string[] args, string message)
    {
        var run = await _cli.Cli(["run", "researcher", .. args]);

        Assert.Equal(ExitCodes.BadInput, run.Exit);
        Assert.Contains(message, run.Err, StringComparison.Ordinal);
    }
}
