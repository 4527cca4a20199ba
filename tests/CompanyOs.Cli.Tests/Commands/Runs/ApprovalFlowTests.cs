using System.Text.Json;

namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary>
/// Runs that wait for people: listed with <c>--no-input</c> and decided by a later invocation (a new runtime on the same
/// SQLite file, as a new process would), or decided inline from (injected) standard input.
/// </summary>
public sealed class ApprovalFlowTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Supervised_implementer_waits_for_execute_code_and_prints_the_exact_commands()
    {
        var run = await _cli.Cli("run", "implementer", "Use execute_code to print hello", "--no-input");

        Assert.True(run.Exit == ExitCodes.AwaitingInput, run.All);
        Assert.Contains("approval needed", run.Out, StringComparison.Ordinal);
        Assert.Contains("'execute_code' is a high-risk tool", run.Out, StringComparison.Ordinal);
        var approve = run.Command("companyos approve");
        Assert.Equal(["approve", run.RunId], approve[..2]);
        Assert.Equal(["--db", _cli.Database], approve[^2..]);
        Assert.Contains($"awaiting_approval · run {run.RunId}", run.Out, StringComparison.Ordinal);

        var rejected = await _cli.Cli("reject", run.RunId, approve[2], "--reason", "no code today", "--no-input");

        Assert.True(rejected.Exit == ExitCodes.Success, rejected.All);
        Assert.Contains($"rejected {approve[2]}: no code today", rejected.Out, StringComparison.Ordinal);
        var events = await _cli.EventsAsync(run.RunId);
        Assert.Equal("no code today", events.Single(e => e.Type == "ApprovalRejected").Data.GetProperty("reason").GetString());
        Assert.DoesNotContain(events, e => e.Type == "ToolCallStarted");
        Assert.Equal("RunCompleted", events[^2].Type);
    }

    [Fact]
    public async Task Resume_of_a_run_another_process_drives_leaves_it_alone_and_says_so()
    {
        var run = await _cli.Cli("run", "researcher", "Use read_file on the notes", "--autonomy", "manual", "--no-input");
        Assert.True(run.Exit == ExitCodes.AwaitingInput, run.All);
        await using (var store = await CompanyOs.Events.Sqlite.SqliteEventStore.OpenAsync(
            new CompanyOs.Events.Sqlite.SqliteEventStoreOptions { DatabasePath = _cli.Database }, cancellationToken: TestContext.Current.CancellationToken))
        {
            // Another process is driving the run: it holds the run's lease.
            var other = new CompanyOs.Agents.Leases.RunLeases(store, "other-process", TimeSpan.FromMinutes(5), TimeProvider.System);
            Assert.NotNull((await other.TryAcquireAsync(run.RunId, null, TestContext.Current.CancellationToken)).Lease);
        }

        var before = await _cli.TypesAsync(run.RunId);
        var resumed = await _cli.Cli("resume", run.RunId);

        Assert.True(resumed.Exit == ExitCodes.DrivenElsewhere, resumed.All);
        Assert.Contains("is being driven by another process (other-process)", resumed.Err, StringComparison.Ordinal);
        Assert.Contains($"companyos resume {run.RunId}", resumed.Err, StringComparison.Ordinal);
        Assert.Equal(before, await _cli.TypesAsync(run.RunId));
    }

    [Fact]
    public async Task Manual_run_waits_then_the_printed_approve_command_completes_it_in_a_later_invocation()
    {
        var run = await _cli.Cli("run", "researcher", "Use read_file on the notes", "--autonomy", "manual", "--no-input");
        Assert.True(run.Exit == ExitCodes.AwaitingInput, run.All);
        Assert.Equal(["RunStarted", "LlmCallCompleted", "AssistantMessage", "ToolCallRequested", "ApprovalRequested"], await _cli.TypesAsync(run.RunId));

        // Exactly what was printed, run as a new process would: new runtime, same database file.
        var approved = await _cli.Raw(run.Command("companyos approve"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(approved.Exit == ExitCodes.Success, approved.All);
        Assert.Contains("EMULATED", approved.All, StringComparison.Ordinal);
        Assert.Contains("tool started: read_file", approved.Out, StringComparison.Ordinal);
        Assert.Contains($"completed · run {run.RunId}", approved.Out, StringComparison.Ordinal);
        var types = await _cli.TypesAsync(run.RunId);
        Assert.Equal(["ApprovalGranted", "ToolCallStarted", "ToolCallCompleted"], types[5..8]);
        Assert.Equal(["RunCompleted", "AgentReasoningCompleted"], types[^2..]);

        var again = await _cli.Cli("approve", run.RunId, run.Command("companyos approve")[2]);
        Assert.Equal(ExitCodes.BadInput, again.Exit);
        Assert.Contains("has ended (completed)", again.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approve_with_edited_arguments_records_both_and_bad_json_names_the_position()
    {
        var run = await _cli.Cli("run", "researcher", "Use read_file on the notes", "--autonomy", "manual", "--no-input");
        var call = run.Command("companyos approve")[2];

        var bad = await _cli.Cli("approve", run.RunId, call, "--args", "{\"path\": README.md}");
        Assert.Equal(ExitCodes.BadInput, bad.Exit);
        Assert.Contains("invalid JSON in --args at line 1, position 10", bad.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("EMULATED", bad.Err, StringComparison.Ordinal); // refused before anything was started

        var notObject = await _cli.Cli("approve", run.RunId, call, "--args", "[1]");
        Assert.Contains("--args must be a JSON object", notObject.Err, StringComparison.Ordinal);

        var wrongSchema = await _cli.Cli("approve", run.RunId, call, "--args", "{\"nope\": 1}");
        Assert.Equal(ExitCodes.BadInput, wrongSchema.Exit);
        Assert.Contains("do not match the schema of 'read_file'", wrongSchema.Err, StringComparison.Ordinal);

        var approved = await _cli.Cli("approve", run.RunId, call, "--args", "{\"path\": \"README.md\"}");
        Assert.True(approved.Exit == ExitCodes.Success, approved.All);
        Assert.Contains("with edited arguments", approved.Out, StringComparison.Ordinal);
        var granted = (await _cli.EventsAsync(run.RunId)).Single(e => e.Type == "ApprovalGranted").Data;
        Assert.True(granted.GetProperty("edited").GetBoolean());
        Assert.Equal("README.md", granted.GetProperty("effective_arguments").GetProperty("path").GetString());
        Assert.Equal("Task: Use read_file on the notes", granted.GetProperty("proposed_arguments").GetProperty("path").GetString());
    }

    [Fact]
    public async Task Inline_approval_from_stdin_continues_the_run_in_the_same_invocation()
    {
        _cli.Input = "a\n";
        var run = await _cli.Cli("run", "researcher", "Use read_file on the notes", "--autonomy", "manual", "--interactive");

        Assert.True(run.Exit == ExitCodes.Success, run.All);
        Assert.Contains("Approval needed: read_file", run.Out, StringComparison.Ordinal);
        Assert.Contains("[a]pprove, [r]eject, [e]dit arguments, [s]kip?", run.Out, StringComparison.Ordinal);
        Assert.Contains("tool started: read_file", run.Out, StringComparison.Ordinal);
        Assert.Equal("RunCompleted", (await _cli.TypesAsync(run.RunId))[^2]);
    }

    [Fact]
    public async Task Inline_reject_and_inline_edit_with_a_typo_first()
    {
        _cli.Input = "x\nr\n\nr\nnot that file\n";
        _cli.InputIsInteractive = true; // a terminal: prompts without --interactive
        var rejected = await _cli.Cli("run", "researcher", "Use read_file on the notes", "--autonomy", "manual");

        Assert.True(rejected.Exit == ExitCodes.Success, rejected.All);
        Assert.Contains("Please type a, r, e or s.", rejected.Out, StringComparison.Ordinal);
        Assert.Contains("(empty line to go back)", rejected.Out, StringComparison.Ordinal);
        Assert.Contains(": not that file", rejected.Out, StringComparison.Ordinal);
        Assert.Contains(await _cli.TypesAsync(rejected.RunId), t => t == "ApprovalRejected");

        _cli.Input = "e\n{oops\ne\n{\"path\":\"README.md\"}\n";
        var edited = await _cli.Cli("run", "researcher", "Use read_file on the notes", "--autonomy", "manual");

        Assert.True(edited.Exit == ExitCodes.Success, edited.All);
        Assert.Contains("error: invalid JSON in the edited arguments at line 1, position 2", edited.Out, StringComparison.Ordinal);
        var granted = (await _cli.EventsAsync(edited.RunId)).Single(e => e.Type == "ApprovalGranted").Data;
        Assert.True(granted.GetProperty("edited").GetBoolean());
    }

    [Fact]
    public async Task Edited_arguments_that_do_not_parse_or_fit_the_schema_are_asked_for_again()
    {
        _cli.Input = "e\n{oops\n{\"path\":7}\n{\"path\":\"README.md\"}\n";
        _cli.InputIsInteractive = true;

        var edited = await _cli.Cli("run", "researcher", "Use read_file on the notes", "--autonomy", "manual");

        Assert.True(edited.Exit == ExitCodes.Success, edited.All);
        Assert.Contains("error: invalid JSON in the edited arguments at line 1, position 2", edited.Out, StringComparison.Ordinal);
        Assert.Equal(3, edited.Out.Split("Arguments as one line of JSON (empty line to go back): ").Length - 1);
        Assert.DoesNotContain("Please type a, r, e or s.", edited.Out, StringComparison.Ordinal);
        var granted = (await _cli.EventsAsync(edited.RunId)).Single(e => e.Type == "ApprovalGranted").Data;
        Assert.Equal("README.md", granted.GetProperty("effective_arguments").GetProperty("path").GetString());
    }

    [Fact]
    public async Task An_empty_line_at_the_edit_prompt_goes_back_to_the_menu()
    {
        _cli.Input = "e\n\na\n";
        _cli.InputIsInteractive = true;

        var run = await _cli.Cli("run", "researcher", "Use read_file on README.md", "--autonomy", "manual");

        Assert.True(run.Exit == ExitCodes.Success, run.All);
        var granted = (await _cli.EventsAsync(run.RunId)).Single(e => e.Type == "ApprovalGranted").Data;
        Assert.False(granted.GetProperty("edited").GetBoolean());
    }

    [Fact]
    public async Task End_of_input_leaves_the_approval_pending_with_the_waiting_exit_code()
    {
        _cli.Input = string.Empty;
        var run = await _cli.Cli("run", "researcher", "Use read_file on the notes", "--autonomy", "manual", "--interactive");

        Assert.Equal(ExitCodes.AwaitingInput, run.Exit);
        Assert.Contains("companyos approve " + run.RunId, run.Out, StringComparison.Ordinal);
        Assert.Equal("ApprovalRequested", (await _cli.TypesAsync(run.RunId))[^1]);
    }

    [Fact]
    public async Task Question_from_ask_human_is_answered_by_a_later_answer_command()
    {
        var run = await _cli.Cli("run", "researcher", "Please ask_human which region to cover", "--json");

        Assert.True(run.Exit == ExitCodes.AwaitingInput, run.All);
        var result = JsonDocument.Parse(run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
        var pending = result.GetProperty("pending").EnumerateArray().Single();
        Assert.Equal("question", pending.GetProperty("kind").GetString());
        var command = pending.GetProperty("commands")[0].GetString()!;
        Assert.StartsWith($"companyos answer {run.RunId} {pending.GetProperty("id").GetString()} '<answer>'", command, StringComparison.Ordinal);

        var answered = await _cli.Cli("answer", run.RunId, pending.GetProperty("id").GetString()!, "EU only");

        Assert.True(answered.Exit == ExitCodes.Success, answered.All);
        Assert.Contains("answered", answered.Out, StringComparison.Ordinal);
        var events = await _cli.EventsAsync(run.RunId);
        Assert.Equal("EU only", events.Single(e => e.Type == "QuestionAnswered").Data.GetProperty("answer").GetString());
        Assert.Equal("RunCompleted", events[^2].Type);
    }

    [Fact]
    public async Task Deciding_what_does_not_exist_is_named()
    {
        var none = await _cli.Cli("approve", "run_0", "call_1");
        Assert.Equal(ExitCodes.BadInput, none.Exit);
        Assert.Contains("no event store at " + _cli.Database, none.Err, StringComparison.Ordinal);

        var run = await _cli.Cli("run", "researcher", "Use read_file on the notes", "--autonomy", "manual", "--no-input");
        var unknownRun = await _cli.Cli("approve", "run_nope", "call_1");
        Assert.Equal(ExitCodes.BadInput, unknownRun.Exit);
        Assert.Contains($"unknown run 'run_nope' in {_cli.Database}", unknownRun.Err, StringComparison.Ordinal);

        var unknownCall = await _cli.Cli("reject", run.RunId, "call_nope", "--reason", "x");
        Assert.Equal(ExitCodes.BadInput, unknownCall.Exit);
        Assert.Contains($"has no pending approval 'call_nope'; pending: {run.Command("companyos approve")[2]} (read_file)", unknownCall.Err, StringComparison.Ordinal);

        var noQuestion = await _cli.Cli("answer", run.RunId, "q_1", "hi");
        Assert.Contains("it has no pending questions", noQuestion.Err, StringComparison.Ordinal);

        var noReason = await _cli.Cli("reject", run.RunId, "call_nope");
        Assert.Equal(ExitCodes.BadInput, noReason.Exit);
        Assert.Contains("--reason", noReason.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", unknownRun.All + unknownCall.All + noQuestion.All + noReason.All, StringComparison.Ordinal);
    }
}
