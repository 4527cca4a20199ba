using System.Text.Json;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Tools;
using Microsoft.Extensions.AI;

namespace CompanyOs.Agents.Tests.Runtime;

public sealed class LoopTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Parallel_tool_calls_run_concurrently_and_results_return_with_their_call_ids()
    {
        var h = new RuntimeHarness();
        var search = h.AddTool("web_search");
        var read = h.AddTool("read_file");
        // Each tool waits until both have started: the run only finishes if they really run at the same time.
        var bothStarted = new CountdownEvent(2);
        Func<JsonElement, CancellationToken, Task<ToolResult>> meet = async (args, ct) =>
        {
            bothStarted.Signal();
            await Task.Run(() => bothStarted.Wait(TimeSpan.FromSeconds(10), ct), ct);
            return ToolResult.Success($"found {args.GetProperty("query").GetString()}");
        };
        search.OnInvoke = meet;
        read.OnInvoke = meet;
        h.Define();
        h.Script.ThenCalls(("c1", "web_search", new { query = "a" }), ("c2", "read_file", new { query = "b" }))
            .ThenText("Final answer.");
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal("Final answer.", result.Result);
        Assert.Equal(0, bothStarted.CurrentCount);
        var second = h.Script.Requests[1].Messages;
        var assistant = second[^2];
        Assert.Equal(ChatRole.Assistant, assistant.Role);
        Assert.Equal(["c1", "c2"], assistant.Contents.OfType<FunctionCallContent>().Select(c => c.CallId));
        var results = second[^1].Contents.OfType<FunctionResultContent>().ToDictionary(r => r.CallId, r => r.Result?.ToString());
        Assert.Equal("found a", results["c1"]);
        Assert.Equal("found b", results["c2"]);
    }

    [Fact]
    public async Task Event_stream_of_a_two_tool_run_matches_the_expected_sequence()
    {
        var h = new RuntimeHarness();
        h.AddTool("web_search");
        h.AddTool("read_file");
        h.Define();
        h.Script.ThenCalls(("c1", "web_search", new { query = "a" }), ("c2", "read_file", new { query = "b" })).ThenText("Done here.");
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        var types = await h.TypesAsync(result.RunId);

        Assert.Equal(
            [
                "RunStarted", "LlmCallCompleted", "AssistantMessage", "ToolCallRequested", "ToolCallRequested",
            ],
            types[..5]);
        var toolPhase = types[5..9];
        Assert.Equal(2, toolPhase.Count(t => t == "ToolCallStarted"));
        Assert.Equal(2, toolPhase.Count(t => t == "ToolCallCompleted"));
        Assert.Equal(["LlmCallCompleted", "AssistantMessage", "RunCompleted", "AgentReasoningCompleted"], types[9..]);
        var events = await h.EventsAsync(result.RunId);
        Assert.All(events, e => Assert.Equal("org-1", e.Metadata.OrgId));
        Assert.Equal(Enumerable.Range(0, events.Count).Select(i => (long)i), events.Select(e => e.Version));
    }

    [Fact]
    public async Task A_turn_sends_system_prompt_task_tools_and_call_context()
    {
        var h = new RuntimeHarness();
        h.AddTool("web_search");
        h.Define();
        h.Script.ThenText("ok");
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request() with { Memory = ["m1", "m2", "m3", "m4", "m5", "m6", "m7"] }, cancellationToken: Ct);

        var (messages, options) = h.Script.Requests[0];
        Assert.Equal(ChatRole.System, messages[0].Role);
        Assert.StartsWith("You are a careful researcher.", messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("- m7", messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("- m3", messages[0].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("- m2", messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("Autonomy: autonomous", messages[0].Text, StringComparison.Ordinal);
        Assert.Equal("Task: Find out about X", messages[1].Text);
        Assert.Equal(["web_search", "ask_human", "complete_task"], options!.Tools!.Select(t => t.Name));
        Assert.Equal(0.2f, options.Temperature);
        var context = CompanyOs.Llm.Calls.LlmCallContextExtensions.GetCallContext(options)!;
        Assert.Equal(("org-1", "researcher", result.RunId, "researcher/persona", "1"), (context.OrgId, context.AgentType, context.RunId, context.PromptName, context.PromptVersion));
    }

    [Fact]
    public async Task Complete_task_tool_ends_the_run_with_its_result_without_another_turn()
    {
        var h = new RuntimeHarness();
        h.Define(tools: []);
        h.Script.ThenCalls(("c1", "complete_task", new { result = "The report." }));
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal("The report.", result.Result);
        Assert.Single(h.Script.Requests);
        Assert.Contains("\"completed_by\":\"complete_task\"", (await h.EventsAsync(result.RunId)).Single(e => e.Type == "RunCompleted").Data.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Complete_task_beside_other_calls_is_refused_so_their_results_are_not_dropped()
    {
        var h = new RuntimeHarness();
        var search = h.AddTool("web_search");
        h.Define();
        h.Script.ThenCalls(("c1", "web_search", new { query = "a" }), ("c2", "complete_task", new { result = "Too early." }))
            .ThenCalls(("c3", "complete_task", new { result = "Done after reading." }));
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal("Done after reading.", result.Result);
        Assert.Equal(1, search.Executions);
        var toModel = h.Script.Requests[1].Messages[^1].Contents.OfType<FunctionResultContent>().ToDictionary(r => r.CallId, r => r.Result?.ToString());
        Assert.Equal("web_search result for a", toModel["c1"]);
        Assert.Contains("complete_task must be the only tool call of its turn", toModel["c2"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_saying_done_does_not_end_a_turn_that_has_tool_calls()
    {
        var h = new RuntimeHarness();
        var tool = h.AddTool("web_search");
        h.Define();
        h.Script.Then((_, _) => ScriptedChatClient.Response(
            [new TextContent("Task complete. Done. [COMPLETE]"), new FunctionCallContent("c1", "web_search", ScriptedChatClient.ToDict(new { query = "q" }))]))
            .ThenText("Here is the answer.");
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(1, tool.Executions);
        Assert.Equal("Here is the answer.", result.Result);
    }

    [Fact]
    public async Task Tool_errors_and_invalid_arguments_go_back_to_the_model_and_the_run_recovers()
    {
        var h = new RuntimeHarness();
        var failing = h.AddTool("web_search");
        failing.OnInvoke = (_, _) => throw new InvalidOperationException("search backend exploded");
        var strict = h.AddTool("read_file");
        h.Define();
        h.Script.ThenCalls(("c1", "web_search", new { query = "a" }), ("c2", "read_file", new { wrong = 1 }), ("c3", "no_such_tool", new { query = "x" }))
            .ThenText("Recovered.");
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(0, strict.Executions);
        var results = h.Script.Requests[1].Messages[^1].Contents.OfType<FunctionResultContent>().ToDictionary(r => r.CallId, r => r.Result!.ToString()!);
        Assert.Contains("search backend exploded", results["c1"], StringComparison.Ordinal);
        Assert.Contains("Invalid arguments for tool 'read_file'", results["c2"], StringComparison.Ordinal);
        Assert.Contains("there is no tool 'no_such_tool'", results["c3"], StringComparison.Ordinal);
        var failed = (await h.EventsAsync(result.RunId)).Where(e => e.Type == "ToolCallFailed").Select(e => e.Data.GetProperty("reason").GetString());
        Assert.Equal(["exception", "invalid_arguments", "unknown_tool"], failed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Tool_timeout_is_a_tool_error()
    {
        var h = new RuntimeHarness();
        var slow = new CountingTool("slow") { Timeout = TimeSpan.FromSeconds(5) };
        slow.OnInvoke = async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromMinutes(5), h.Time, ct);
            return ToolResult.Success("never");
        };
        h.Tools.Register(slow);
        h.Define();
        h.Script.ThenCalls(("c1", "slow", new { query = "a" })).ThenText("ok");
        await using var runtime = h.CreateRuntime();

        var running = runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        await Poll.UntilAsync(() => slow.Executions > 0, "the run never started the slow tool", cancellationToken: Ct);

        h.Time.Advance(TimeSpan.FromSeconds(6));
        var result = await running;

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(ToolCallPhase.Failed, result.State.Calls["c1"].Phase);
        Assert.Contains("timed out after 5 s", result.State.Calls["c1"].Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Huge_tool_output_is_stored_capped_with_a_marker()
    {
        var h = new RuntimeHarness();
        var big = h.AddTool("web_search");
        big.OnInvoke = (_, _) => Task.FromResult(ToolResult.Success(new string('x', 5000)));
        h.Define();
        h.Script.ThenCalls(("c1", "web_search", new { query = "a" })).ThenText("ok");
        await using var runtime = h.CreateRuntime(new CompanyOs.Agents.Runtime.AgentRuntimeOptions { MaxToolOutputChars = 1000 });

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        var completed = (await h.EventsAsync(result.RunId)).Single(e => e.Type == "ToolCallCompleted").Data;
        Assert.True(completed.GetProperty("truncated").GetBoolean());
        Assert.Equal(5000, completed.GetProperty("output_chars").GetInt32());
        Assert.EndsWith("[output truncated: 4000 of 5000 characters not stored]", completed.GetProperty("output").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seed_trace_event_is_written_at_the_end_with_full_outputs_and_org_metadata()
    {
        var h = new RuntimeHarness();
        var tool = h.AddTool("web_search");
        tool.OnInvoke = (_, _) => Task.FromResult(ToolResult.Success(new string('y', 3000)));
        h.Define();
        h.Script.ThenCalls(("c1", "web_search", new { query = "a" })).ThenText("Answer.");
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        var trace = (await h.EventsAsync(result.RunId))[^1];
        Assert.Equal("AgentReasoningCompleted", trace.Type);
        Assert.Equal("org-1", trace.Metadata.OrgId);
        Assert.Equal(result.RunId, trace.Data.GetProperty("session_id").GetString());
        Assert.Equal("task-1", trace.Data.GetProperty("task_id").GetString());
        var steps = trace.Data.GetProperty("trace").EnumerateArray().ToList();
        Assert.Equal(["think", "tool_call", "respond"], steps.Select(s => s.GetProperty("action").GetString()));
        Assert.Equal(3000, steps[1].GetProperty("tool_output").GetString()!.Length);
        Assert.Equal("a", steps[1].GetProperty("tool_input").GetProperty("query").GetString());
        Assert.All(steps, s => Assert.True(DateTimeOffset.TryParse(s.GetProperty("timestamp").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _)));
    }

    [Fact]
    public async Task Missing_call_ids_are_replaced_by_unique_ones()
    {
        var h = new RuntimeHarness();
        h.AddTool("web_search");
        h.Define();
        h.Script.ThenCalls(("", "web_search", new { query = "a" }), ("", "web_search", new { query = "b" })).ThenText("ok");
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(["call_1_1", "call_1_2"], result.State.Turns[0].CallIds);
        Assert.All(result.State.Calls.Values, c => Assert.Equal(ToolCallPhase.Completed, c.Phase));
    }
}
