using System.Text.Json;
using CompanyOs.Cli.Tests.Commands.Runs;

namespace CompanyOs.Cli.Tests.Commands;

/// <summary><c>companyos prompts list|show|render|lint</c> on the repository's prompts and on broken ones.</summary>
public sealed class PromptsCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private Task<CliResult> Prompts(params string[] args) => _cli.Raw(["prompts", .. args], cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public async Task List_shows_every_prompt_with_versions_and_variables()
    {
        var list = await Prompts("list");
        var json = await Prompts("list", "--json");

        Assert.True(list.Exit == ExitCodes.Success, list.All);
        Assert.Matches(@"researcher/literature_review\s+1\.0, 1\.1\s+\(topic, context\?, constraints\?, max_findings\?\)", list.Out);
        Assert.Contains("6 prompt(s) in ", list.Out, StringComparison.Ordinal);
        var review = JsonDocument.Parse(json.Out).RootElement.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "researcher/literature_review");
        Assert.Equal(["1.0", "1.1"], review.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        var maxFindings = review.GetProperty("variables").EnumerateArray().Single(v => v.GetProperty("name").GetString() == "max_findings");
        Assert.Equal("number", maxFindings.GetProperty("type").GetString());
        Assert.Equal("5", maxFindings.GetProperty("default").GetString());
    }

    [Fact]
    public async Task Show_describes_each_variable_and_how_to_render()
    {
        var show = await Prompts("show", "researcher/literature_review");

        Assert.True(show.Exit == ExitCodes.Success, show.All);
        Assert.Contains("  topic (string, required) — What to review, in one sentence.", show.Out, StringComparison.Ordinal);
        Assert.Contains("  max_findings (number, optional, default 5)", show.Out, StringComparison.Ordinal);
        Assert.Contains("render: companyos prompts render researcher/literature_review --var topic=…", show.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_fills_the_variables_typed_as_declared_and_pins_versions()
    {
        var latest = await Prompts("render", "researcher/literature_review", "--var", "topic=event sourcing", "--var", "max_findings=3");
        var pinned = await Prompts("render", "researcher/literature_review", "--version", "1.0", "--var", "topic=event sourcing", "--var", "context=a CLI", "--var", "constraints=none", "--json");

        Assert.True(latest.Exit == ExitCodes.Success, latest.All);
        Assert.Contains("# researcher/literature_review 1.1", latest.Out, StringComparison.Ordinal);
        Assert.Contains("Please conduct a literature review on: event sourcing", latest.Out, StringComparison.Ordinal);
        Assert.Contains("(3-3 bullet points)", latest.Out, StringComparison.Ordinal);
        Assert.True(pinned.Exit == ExitCodes.Success, pinned.All);
        var doc = JsonDocument.Parse(pinned.Out).RootElement;
        Assert.Equal("1.0", doc.GetProperty("version").GetString());
        Assert.Contains("event sourcing", doc.GetProperty("user").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "render", "researcher/literature_review" }, "error: prompt: missing required variable 'topic' for prompt 'researcher/literature_review'")]
    [InlineData(new[] { "render", "researcher/literature_review", "--var", "topic=x", "--var", "max_findings=many" }, "error: --var max_findings='many': researcher/literature_review declares it as a number.")]
    [InlineData(new[] { "render", "nope" }, "error: unknown prompt 'nope' in ")]
    [InlineData(new[] { "show", "nope" }, "known: architect/persona, architect/system_design")]
    [InlineData(new[] { "list", "--dir", "no-such-dir" }, "error: no prompt directory at ")]
    public async Task Bad_prompt_input_is_named_and_exits_2(string[] args, string message)
    {
        var result = await Prompts(args);

        Assert.Equal(ExitCodes.BadInput, result.Exit);
        Assert.Contains(message, result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_passes_the_shipped_prompts_and_reports_a_broken_file_with_its_line()
    {
        var clean = await Prompts("lint");
        var broken = Path.Combine(_cli.WorkingDirectory, "broken");
        Directory.CreateDirectory(Path.Combine(broken, "agent"));
        await File.WriteAllTextAsync(Path.Combine(broken, "agent", "p.yaml"), "version: \"1.0\"\nuser: \"Hello {{ who }}\"\n", TestContext.Current.CancellationToken);
        var failed = await Prompts("lint", "--dir", broken);

        Assert.True(clean.Exit == ExitCodes.Success, clean.All);
        Assert.Contains(": 0 error(s), 0 warning(s)", clean.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, failed.Exit);
        Assert.Contains(Path.Combine(broken, "agent", "p.yaml"), failed.Out, StringComparison.Ordinal);
        Assert.Contains("who", failed.Out, StringComparison.Ordinal);
        Assert.Contains("1 error(s)", failed.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prompts_list_works_as_a_process()
    {
        var list = await CliProcess.RunAsync(_cli.WorkingDirectory, TimeSpan.FromSeconds(60), "prompts", "list");

        Assert.True(list.Exit == ExitCodes.Success, list.All);
        Assert.Contains("implementer/persona", list.Out, StringComparison.Ordinal);
    }
}
