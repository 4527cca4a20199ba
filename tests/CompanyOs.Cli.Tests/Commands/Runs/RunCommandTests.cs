using System.Text.Json;

namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary><c>companyos run</c> end to end: emulator → gateway → agent runtime → SQLite, as a user sees it.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Researcher_run_completes_against_the_emulator_says_EMULATED_and_is_stored()
    {
        var run = await _cli.Cli("run", "researcher", "Summarise what event sourcing is");

        Assert.True(run.Exit == ExitCodes.Success, run.All);
        Assert.Contains("EMULATED: ANTHROPIC_API_KEY, OPENAI_API_KEY not set", run.Err, StringComparison.Ordinal);
        Assert.Contains("EMULATED", run.Out, StringComparison.Ordinal);
        Assert.Contains("run started: researcher — Summarise what event sourcing is", run.Out, StringComparison.Ordinal);
        Assert.Contains("tool requested: read_file", run.Out, StringComparison.Ordinal);
        Assert.Contains($"completed · run {run.RunId} · researcher", run.Out, StringComparison.Ordinal);
        Assert.Contains("web_search not available", run.Err, StringComparison.Ordinal);

        var types = await _cli.TypesAsync(run.RunId);
        Assert.Equal("RunStarted", types[0]);
        Assert.Equal(["RunCompleted", "AgentReasoningCompleted"], types[^2..]);
        Assert.Contains("ToolCallCompleted", types);
        Assert.Equal(2, types.Count(t => t == "LlmCallCompleted"));
    }

    [Fact]
    public async Task The_docs_example_reads_the_named_file_offline()
    {
        var run = await _cli.Cli("run", "researcher", "Use read_file on README.md");

        Assert.True(run.Exit == ExitCodes.Success, run.All);
        var events = await _cli.EventsAsync(run.RunId);
        var requested = Assert.Single(events, e => e.Type == "ToolCallRequested").Data;
        Assert.Equal("read_file", requested.GetProperty("tool_name").GetString());
        Assert.Equal("README.md", requested.GetProperty("arguments").GetProperty("path").GetString());
        var completed = Assert.Single(events, e => e.Type == "ToolCallCompleted").Data;
        Assert.False(completed.GetProperty("is_error").GetBoolean(), completed.GetRawText());
        Assert.StartsWith("# CompanyOS", completed.GetProperty("output").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("tool returned an error", run.Out, StringComparison.Ordinal);
        Assert.Contains("read_file returned \"# CompanyOS", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_docs_example_reads_the_named_file_as_a_process()
    {
        var run = await CliProcess.RunAsync(
            _cli.WorkingDirectory, TimeSpan.FromSeconds(90), "run", "researcher", "Use read_file on README.md", "--db", _cli.Database);

        Assert.True(run.Exit == ExitCodes.Success, run.All);
        Assert.Contains("tool requested: read_file", run.Out, StringComparison.Ordinal);
        Assert.Contains("\"path\": \"README.md\"", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("tool returned an error", run.Out, StringComparison.Ordinal);
        Assert.Contains("EMULATED", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_db_the_store_is_created_under_the_working_directory()
    {
        var run = await _cli.Raw(["run", "architect", "Sketch a cache"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(run.Exit == ExitCodes.Success, run.All);
        Assert.True(File.Exists(Path.Combine(_cli.WorkingDirectory, ".companyos", "companyos.db")));
        var listed = await _cli.Raw(["runs", "--json"], cancellationToken: TestContext.Current.CancellationToken);
        using var doc = JsonDocument.Parse(listed.Out);
        Assert.Equal(run.RunId, doc.RootElement.EnumerateArray().Single().GetProperty("run_id").GetString());
    }

    [Fact]
    public async Task Json_output_is_one_object_per_step_then_a_result()
    {
        var run = await _cli.Cli("run", "researcher", "Find notes about list_dir", "--json", "--org", "acme", "--var", "audience=engineers");

        Assert.True(run.Exit == ExitCodes.Success, run.All);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var all = lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

        // The model's text streams as "delta" lines; they add up to the stored messages.
        var deltas = all.Where(o => o.GetProperty("type").GetString() == "delta").ToList();
        var objects = all.Except(deltas).ToList();
        Assert.NotEmpty(deltas);
        var messages = objects.Where(o => o.TryGetProperty("event", out var e) && e.GetString() == "AssistantMessage")
            .Select(o => o.GetProperty("data")).Where(d => d.GetProperty("text").ValueKind == JsonValueKind.String).ToList();
        Assert.NotEmpty(messages);
        foreach (var message in messages)
        {
            var iteration = message.GetProperty("iteration").GetInt32();
            Assert.Equal(
                message.GetProperty("text").GetString(),
                string.Concat(deltas.Where(d => d.GetProperty("iteration").GetInt32() == iteration).Select(d => d.GetProperty("text").GetString())));
        }

        Assert.All(objects[..^1], o => Assert.Equal("step", o.GetProperty("type").GetString()));
        Assert.Equal("run_started", objects[0].GetProperty("kind").GetString());
        Assert.Equal("acme", objects[0].GetProperty("data").GetProperty("org_id").GetString());
        Assert.Equal("engineers", objects[0].GetProperty("data").GetProperty("variables").GetProperty("audience").GetString());
        Assert.Contains(objects, o => o.GetProperty("event").GetString() == "ToolCallRequested"
            && o.GetProperty("data").GetProperty("tool_name").GetString() == "list_dir");
        Assert.All(objects[..^1].Where(o => o.GetProperty("kind").GetString() == "llm_call"), o => Assert.True(o.GetProperty("emulated").GetBoolean()));
        Assert.Equal(Enumerable.Range(0, objects.Count - 1).Select(i => (long)i), objects[..^1].Select(o => o.GetProperty("version").GetInt64()));

        var result = objects[^1];
        Assert.Equal("result", result.GetProperty("type").GetString());
        Assert.Equal("completed", result.GetProperty("status").GetString());
        Assert.Equal(run.RunId, result.GetProperty("run_id").GetString());
        Assert.True(result.GetProperty("emulated").GetBoolean());
        Assert.True(result.GetProperty("total_tokens").GetInt64() > 0);
        Assert.Equal(0, result.GetProperty("pending").GetArrayLength());
        Assert.DoesNotContain("EMULATED", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Max_iterations_override_is_snapshotted_and_ends_the_run_early()
    {
        var run = await _cli.Cli("run", "researcher", "Use read_file on notes", "--max-iterations", "1", "--autonomy", "autonomous", "--json");

        var result = JsonDocument.Parse(run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
        var settings = (await _cli.EventsAsync(run.RunId))[0].Data.GetProperty("settings");
        Assert.Equal(1, settings.GetProperty("max_iterations").GetInt32());
        Assert.Equal("autonomous", settings.GetProperty("autonomy").GetString());
        Assert.Equal(result.GetProperty("status").GetString() == "completed" ? ExitCodes.Success : ExitCodes.RunNotCompleted, run.Exit);
    }

    [Theory]
    [InlineData(new[] { "run", "nobody", "do it" }, "unknown agent type 'nobody' (known: architect, implementer, researcher)")]
    [InlineData(new[] { "run", "researcher", "x", "--var", "novalue" }, "--var 'novalue' is not valid; expected key=value")]
    [InlineData(new[] { "run", "researcher", "x", "--var", "=v" }, "--var '=v' is not valid")]
    [InlineData(new[] { "run", "researcher", "x", "--var", "a=1", "--var", "a=2" }, "--var 'a' is given twice")]
    [InlineData(new[] { "run", "researcher", "x", "--autonomy", "yolo" }, "--autonomy 'yolo' is not valid; expected manual, supervised or autonomous")]
    [InlineData(new[] { "run", "researcher", "x", "--max-iterations", "0" }, "--max-iterations 0 is out of range")]
    [InlineData(new[] { "run", "researcher", "  " }, "the task must not be empty")]
    [InlineData(new[] { "run", "researcher", "x", "--no-input", "--interactive" }, "--no-input and --interactive contradict each other")]
    [InlineData(new[] { "run", "researcher" }, "the task is missing: give it as an argument, or with --task-file PATH (- for stdin)")]
    public async Task Bad_run_input_is_named_and_exits_with_bad_input(string[] args, string message)
    {
        var run = await _cli.Cli(args);

        Assert.Equal(ExitCodes.BadInput, run.Exit);
        Assert.Contains(message, run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.All, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.Database) && CliHarness.RunIdPattern().IsMatch(run.All), "no run was started");
    }

    [Theory]
    [InlineData("run", "--org", "--autonomy", "--max-iterations", "--var", "--db", "--config", "--json", "--no-input", "--interactive", "--emulator")]
    [InlineData("approve", "--args", "--db", "--json", "--no-input", "--interactive")]
    [InlineData("reject", "--reason", "--db", "--json")]
    [InlineData("answer", "--db", "--json")]
    [InlineData("resume", "--db", "--json")]
    [InlineData("runs", "--org", "--db", "--json", "show")]
    [InlineData("trace", "--db", "--json")]
    public async Task Help_describes_each_command_and_its_options(string command, params string[] expected)
    {
        var help = await _cli.Raw([command, "--help"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Success, help.Exit);
        foreach (var text in expected)
        {
            Assert.Contains(text, help.Out, StringComparison.Ordinal);
        }
    }
}
