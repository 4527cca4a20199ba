using CompanyOs.Cli.Tests.Commands.Runs;

namespace CompanyOs.Cli.Tests.Commands.Demo;

/// <summary><c>companyos demo</c>: offline, the scripted scenario runs the real machinery end to end and reports trace, cost and storage.</summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Demo_with_yes_runs_the_scenario_offline_without_an_error_step()
    {
        var demo = await _cli.Cli("demo", "--yes");

        Assert.True(demo.Exit == ExitCodes.Success, demo.All);
        Assert.Contains("EMULATED (ANTHROPIC_API_KEY, OPENAI_API_KEY not set): anthropic, openai answered by the built-in emulator's scripted model", demo.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("tool returned an error", demo.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("error:", demo.All, StringComparison.Ordinal);

        var events = await _cli.EventsAsync(demo.RunId);
        var types = events.Select(e => e.Type).ToList();
        Assert.Equal("RunCompleted", types[^2]);
        Assert.DoesNotContain(events, e => e.Type == "ToolCallCompleted" && e.Data.GetProperty("is_error").GetBoolean());

        // Two tool calls of one model turn: read_file of a real doc and list_dir, both requested before the next model call.
        var firstTurn = types.SkipWhile(t => t != "LlmCallCompleted").Skip(1).TakeWhile(t => t != "LlmCallCompleted").ToList();
        var requested = events.Where(e => e.Type == "ToolCallRequested").Select(e => e.Data).ToList();
        Assert.Equal(2, firstTurn.Count(t => t == "ToolCallRequested"));
        Assert.Equal("read_file", requested[0].GetProperty("tool_name").GetString());
        Assert.Equal("docs/agents.md", requested[0].GetProperty("arguments").GetProperty("path").GetString());
        Assert.Equal("list_dir", requested[1].GetProperty("tool_name").GetString());
        var read = events.First(e => e.Type == "ToolCallCompleted" && e.Data.GetProperty("tool_name").GetString() == "read_file").Data;
        Assert.StartsWith("# Agent runtime", read.GetProperty("output").GetString(), StringComparison.Ordinal);

        if (demo.Out.Contains("note: execute_code skipped", StringComparison.Ordinal))
        {
            Assert.DoesNotContain("ApprovalRequested", types);
        }
        else
        {
            Assert.Contains("approved automatically (--yes)", demo.Out, StringComparison.Ordinal);
            Assert.Single(events, e => e.Type == "ApprovalGranted");
            var code = events.Single(e => e.Type == "ToolCallCompleted" && e.Data.GetProperty("tool_name").GetString() == "execute_code").Data;
            Assert.Contains("exit code: 0", code.GetProperty("output").GetString(), StringComparison.Ordinal);
            Assert.Contains("network: none", code.GetProperty("output").GetString(), StringComparison.Ordinal);
        }

        // Streamed text, then the trace summary, the cost table and where the events are.
        Assert.Contains("model     I'll read docs/agents.md and list the docs folder at the same time.", demo.Out, StringComparison.Ordinal);
        Assert.True(demo.Out.Contains("0 failed; 2 in parallel)", StringComparison.Ordinal), demo.Out);
        Assert.Matches(@"anthropic \(EMULATED\)\s+claude-3-5-sonnet-20241022\s+\d+\s+\d+\s+\d+\s+0\.\d{6}", demo.Out);
        Assert.Contains($"stream agent-session:{demo.RunId} of the SQLite file {_cli.Database}", demo.Out, StringComparison.Ordinal);
        Assert.Contains($"companyos trace {demo.RunId} --db {_cli.Database}", demo.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_emulated_banner_is_printed_once_before_the_run_not_again_on_stderr()
    {
        var demo = await _cli.Cli("demo", "--yes");

        Assert.True(demo.Exit == ExitCodes.Success, demo.All);
        Assert.DoesNotContain("EMULATED", demo.Err, StringComparison.Ordinal);
        var beforeTheRun = demo.Out[..demo.Out.IndexOf("run started:", StringComparison.Ordinal)];
        Assert.Single(beforeTheRun.Split('\n'), l => l.Contains("EMULATED", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Demo_as_a_process_completes_offline_within_a_minute()
    {
        var started = TimeProvider.System.GetTimestamp();
        var demo = await CliProcess.RunAsync(_cli.WorkingDirectory, TimeSpan.FromSeconds(90), "demo", "--yes");

        Assert.True(demo.Exit == ExitCodes.Success, demo.All);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromMinutes(1), "the demo takes under a minute");
        Assert.Contains("EMULATED", demo.Out, StringComparison.Ordinal);
        Assert.Contains("Cost by provider/model", demo.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("tool returned an error", demo.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", demo.All, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_cli.WorkingDirectory, ".companyos", "companyos.db")), "stored under the working directory");
    }

    [Fact]
    public async Task The_approval_is_asked_inline_and_a_typed_answer_approves_it()
    {
        if (!await SandboxUsableAsync())
        {
            Assert.Skip("bubblewrap is not usable here, so the demo has no approval");
        }

        _cli.InputIsInteractive = true;
        _cli.Input = "a\n";
        var demo = await _cli.Cli("demo");

        Assert.True(demo.Exit == ExitCodes.Success, demo.All);
        Assert.Contains("[a]pprove, [r]eject, [e]dit arguments, [s]kip?", demo.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("approved automatically", demo.Out, StringComparison.Ordinal);
        Assert.Single(await _cli.EventsAsync(demo.RunId), e => e.Type == "ApprovalGranted");
    }

    [Fact]
    public async Task Without_a_person_or_yes_the_demo_waits_and_prints_the_approve_command()
    {
        if (!await SandboxUsableAsync())
        {
            Assert.Skip("bubblewrap is not usable here, so the demo has no approval");
        }

        var demo = await _cli.Cli("demo");

        Assert.Equal(ExitCodes.AwaitingInput, demo.Exit);
        var approve = demo.Command("companyos approve");
        var approved = await _cli.Raw(approve, cancellationToken: Ct);
        Assert.True(approved.Exit == ExitCodes.Success, approved.All);
        Assert.Contains("execute_code returned \"exit code: 0", approved.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_sandbox_execute_code_is_skipped_with_a_note()
    {
        var config = _cli.CopyConfiguration();
        var tools = Path.Combine(Path.GetDirectoryName(config)!, "tools.yaml");
        var text = await File.ReadAllTextAsync(tools, Ct);
        await File.WriteAllTextAsync(tools, text.Replace("  enabled: true", "  enabled: false", StringComparison.Ordinal), Ct);
        // The copied tools.yaml's root ("..") is the working directory: give it the doc the demo reads.
        Directory.CreateDirectory(Path.Combine(_cli.WorkingDirectory, "docs"));
        await File.WriteAllTextAsync(Path.Combine(_cli.WorkingDirectory, "docs", "agents.md"), "# Agents\nA run is a stream of events.\n", Ct);

        var demo = await _cli.Cli("demo", "--yes", "-c", config);

        Assert.True(demo.Exit == ExitCodes.Success, demo.All);
        Assert.Single(demo.Out.Split('\n'), l => l.StartsWith("note: execute_code skipped (execute_code is not enabled in ", StringComparison.Ordinal));
        var types = await _cli.TypesAsync(demo.RunId);
        Assert.DoesNotContain("ApprovalRequested", types);
        Assert.Equal(2, types.Count(t => t == "ToolCallCompleted"));
        Assert.Contains("read_file returned \"# Agents A run is a stream of events.\"", demo.Out, StringComparison.Ordinal);
    }

    private static async Task<bool> SandboxUsableAsync()
    {
        using var sandbox = new CompanyOs.Tools.Sandbox.BubblewrapSandbox(new CompanyOs.Tools.Sandbox.SandboxOptions { Enabled = true });
        return await sandbox.CheckAvailableAsync() is null;
    }
}
