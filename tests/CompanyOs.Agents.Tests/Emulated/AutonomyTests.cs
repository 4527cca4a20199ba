using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Configuration;
using CompanyOs.Tools;

namespace CompanyOs.Agents.Tests.Emulated;

/// <summary>
/// Autonomy levels, approvals (approve, approve with edited arguments, reject, expiry), <c>ask_human</c> and a decision
/// after a simulated restart — every model turn through the gateway to the emulator, once per provider wire format.
/// </summary>
public abstract class AutonomyTests : EmulatedModelTests
{
    private (RuntimeHarness H, CountingTool Low, CountingTool High) Setup(AutonomyLevel autonomy, TimeSpan? approvalTimeout = null)
    {
        var h = new RuntimeHarness { Chat = Model.Gateway };
        var low = h.AddTool("read_file", ToolRisk.Low);
        var high = h.AddTool("execute_code", ToolRisk.High);
        h.Define(autonomy, approvalTimeout: approvalTimeout);
        Model.Enqueue(
            ScriptedTurn.ToolCalls(("read_file", """{"query":"a"}"""), ("execute_code", """{"query":"b"}""")).WithText("Let me use tools."),
            ScriptedTurn.Text("Finished."));
        return (h, low, high);
    }

    private static string CallOf(AgentRunResult result, string tool) => result.State.Calls.Values.Single(c => c.ToolName == tool).CallId;

    [Theory]
    [InlineData(AutonomyLevel.Manual, new[] { "execute_code", "read_file" })]
    [InlineData(AutonomyLevel.Supervised, new[] { "execute_code" })]
    [InlineData(AutonomyLevel.Autonomous, new string[0])]
    public async Task Which_calls_wait_depends_on_autonomy_and_risk(AutonomyLevel autonomy, string[] waiting)
    {
        var (h, low, high) = Setup(autonomy);
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(waiting, result.Pending.Select(p => p.ToolName).Order(StringComparer.Ordinal));
        if (waiting.Length == 0)
        {
            Assert.Equal(RunStatus.Completed, result.Status);
            Assert.Equal((1, 1), (low.Executions, high.Executions));
            Assert.Equal("Finished.", result.Result);
        }
        else
        {
            Assert.Equal(RunStatus.AwaitingApproval, result.Status);
            Assert.Equal((0, 0), (low.Executions, high.Executions));
            Assert.Single(Model.ChatRequests());
            Assert.All(result.Pending, p => Assert.Equal(ArgumentsHash.Compute(p.ProposedArguments), p.ArgumentsHash));
            Assert.All(result.Pending, p => Assert.Equal(CallOf(result, p.ToolName), p.CallId));
        }
    }

    [Fact]
    public async Task Approve_runs_the_call_and_the_batch_results_go_back_together()
    {
        var (h, low, high) = Setup(AutonomyLevel.Supervised);
        await using var runtime = h.CreateRuntime();
        var waiting = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        Assert.Equal(0, low.Executions);

        var result = await runtime.ApproveAsync(waiting.RunId, CallOf(waiting, "execute_code"), decidedBy: "alice", cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal("Finished.", result.Result);
        Assert.Equal((1, 1), (low.Executions, high.Executions));
        Assert.Equal(2, Model.ChatRequests().Count);
        Assert.Equal(
            [(CallOf(result, "read_file"), "read_file result for a"), (CallOf(result, "execute_code"), "execute_code result for b")],
            Model.ToolResultsIn(1));
        var granted = (await h.EventsAsync(result.RunId)).Single(e => e.Type == "ApprovalGranted");
        Assert.Equal("user:alice", granted.Metadata.Actor);
        Assert.False(granted.Data.GetProperty("edited").GetBoolean());
    }

    [Fact]
    public async Task Approve_with_edited_arguments_runs_the_edited_call_and_keeps_both_argument_sets()
    {
        var (h, _, high) = Setup(AutonomyLevel.Supervised);
        await using var runtime = h.CreateRuntime();
        var waiting = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        var callId = CallOf(waiting, "execute_code");

        var result = await runtime.ApproveAsync(waiting.RunId, callId, RuntimeHarness.Json("""{"query":"safer"}"""), cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal("safer", Assert.Single(high.Arguments).GetProperty("query").GetString());
        var granted = (await h.EventsAsync(result.RunId)).Single(e => e.Type == "ApprovalGranted").Data;
        Assert.Equal("b", granted.GetProperty("proposed_arguments").GetProperty("query").GetString());
        Assert.Equal("safer", granted.GetProperty("effective_arguments").GetProperty("query").GetString());
        Assert.True(granted.GetProperty("edited").GetBoolean());
        var toModel = Model.ToolResultsIn(1).Single(r => r.CallId == callId).Content;
        Assert.Contains("changed the arguments", toModel, StringComparison.Ordinal);
        Assert.Contains("execute_code result for safer", toModel, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edited_arguments_that_break_the_schema_are_refused_and_nothing_is_recorded()
    {
        var (h, _, high) = Setup(AutonomyLevel.Supervised);
        await using var runtime = h.CreateRuntime();
        var waiting = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        var before = (await h.EventsAsync(waiting.RunId)).Count;

        var error = await Assert.ThrowsAsync<AgentRunException>(() =>
            runtime.ApproveAsync(waiting.RunId, CallOf(waiting, "execute_code"), RuntimeHarness.Json("""{"query":5}"""), cancellationToken: Ct));

        Assert.Equal(AgentRunErrorKind.InvalidArguments, error.Kind);
        Assert.Contains("execute_code", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, (await h.EventsAsync(waiting.RunId)).Count);
        Assert.Equal(0, high.Executions);
        Assert.Single(Model.ChatRequests());
    }

    [Fact]
    public async Task Reject_sends_a_rejection_result_to_the_model_and_never_runs_the_tool()
    {
        var (h, low, high) = Setup(AutonomyLevel.Supervised);
        await using var runtime = h.CreateRuntime();
        var waiting = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        var callId = CallOf(waiting, "execute_code");

        var result = await runtime.RejectAsync(waiting.RunId, callId, "too dangerous", cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal((1, 0), (low.Executions, high.Executions));
        var toModel = Model.ToolResultsIn(1).Single(r => r.CallId == callId).Content;
        Assert.Contains("Rejected by a human reviewer: too dangerous", toModel, StringComparison.Ordinal);
        Assert.Equal(["ApprovalRejected"], (await h.TypesAsync(result.RunId)).Where(t => t.StartsWith("Approval", StringComparison.Ordinal) && t != "ApprovalRequested"));
    }

    [Fact]
    public async Task Manual_autonomy_waits_until_every_call_is_decided()
    {
        var (h, low, high) = Setup(AutonomyLevel.Manual);
        await using var runtime = h.CreateRuntime();
        var waiting = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        var afterFirst = await runtime.ApproveAsync(waiting.RunId, CallOf(waiting, "read_file"), cancellationToken: Ct);
        Assert.Equal(RunStatus.AwaitingApproval, afterFirst.Status);
        Assert.Equal(0, low.Executions);
        Assert.Single(Model.ChatRequests());
        var done = await runtime.RejectAsync(waiting.RunId, CallOf(waiting, "execute_code"), "no", cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, done.Status);
        Assert.Equal((1, 0), (low.Executions, high.Executions));
        Assert.Equal(2, Model.ToolResultsIn(1).Count);
    }

    [Fact]
    public async Task Deciding_twice_or_an_unknown_call_is_a_clear_error()
    {
        var (h, _, _) = Setup(AutonomyLevel.Supervised);
        await using var runtime = h.CreateRuntime();
        var waiting = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        var callId = CallOf(waiting, "execute_code");

        var unknown = await Assert.ThrowsAsync<AgentRunException>(() => runtime.ApproveAsync(waiting.RunId, "c9", cancellationToken: Ct));
        Assert.Equal(AgentRunErrorKind.NotPending, unknown.Kind);
        Assert.Contains($"pending: {callId}", unknown.Message, StringComparison.Ordinal);
        await runtime.ApproveAsync(waiting.RunId, callId, cancellationToken: Ct);
        var again = await Assert.ThrowsAsync<AgentRunException>(() => runtime.ApproveAsync(waiting.RunId, callId, cancellationToken: Ct));
        Assert.Equal(AgentRunErrorKind.RunEnded, again.Kind);
        var missing = await Assert.ThrowsAsync<AgentRunException>(() => runtime.ApproveAsync("nope", callId, cancellationToken: Ct));
        Assert.Equal(AgentRunErrorKind.RunNotFound, missing.Kind);
    }

    [Fact]
    public async Task Approval_after_disposing_and_recreating_the_runtime_resumes_the_run()
    {
        var (h, low, high) = Setup(AutonomyLevel.Supervised);
        string runId;
        await using (var first = h.CreateRuntime())
        {
            runId = (await first.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct)).RunId;
        }

        // A new runtime over the same store and a new gateway client: nothing is carried over in memory.
        await using var model = await EmulatedModel.StartAsync(Kind, Ct);
        model.Enqueue(ScriptedTurn.Text("Finished after the restart."));
        h.Chat = model.Gateway;
        await using var second = h.CreateRuntime();
        var pending = await second.ListPendingApprovalsAsync("org-1", Ct).ToListAsync(Ct);
        var result = await second.ApproveAsync(runId, Assert.Single(pending).CallId, cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal((1, 1), (low.Executions, high.Executions));
        Assert.Equal("Finished after the restart.", result.Result);
        Assert.Single(Model.ChatRequests());
        Assert.Equal(2, model.ToolResultsIn(0).Count);
        Assert.Equal(result.State.Calls.Keys.Order(StringComparer.Ordinal), model.ToolResultsIn(0).Select(r => r.CallId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Pending_approvals_are_listed_per_org_and_expire()
    {
        var h = new RuntimeHarness { Chat = Model.Gateway };
        var high = h.AddTool("execute_code", ToolRisk.High);
        h.Define(AutonomyLevel.Supervised, approvalTimeout: TimeSpan.FromHours(1));
        Model.Enqueue(
            ScriptedTurn.ToolCalls(("execute_code", """{"query":"y"}""")),
            ScriptedTurn.ToolCalls(("execute_code", """{"query":"z"}""")),
            ScriptedTurn.Text("Gave up on that."));
        await using var runtime = h.CreateRuntime();
        var a = await runtime.RunAsync(RuntimeHarness.Request(org: "org-a"), cancellationToken: Ct);
        var b = await runtime.RunAsync(RuntimeHarness.Request(org: "org-b"), cancellationToken: Ct);

        var forA = await runtime.ListPendingApprovalsAsync("org-a", Ct).ToListAsync(Ct);
        Assert.Equal([a.RunId], forA.Select(p => p.RunId));
        Assert.Equal(h.Time.GetUtcNow().AddHours(1), forA[0].ExpiresAt);
        Assert.Equal(2, (await runtime.ListPendingApprovalsAsync(null, Ct).ToListAsync(Ct)).Count);

        h.Time.Advance(TimeSpan.FromHours(2));
        Assert.Empty(await runtime.ListPendingApprovalsAsync("org-b", Ct).ToListAsync(Ct));
        var callId = CallOf(b, "execute_code");
        var expired = await Assert.ThrowsAsync<AgentRunException>(() => runtime.ApproveAsync(b.RunId, callId, cancellationToken: Ct));
        Assert.Equal(AgentRunErrorKind.Expired, expired.Kind);
        var state = await runtime.GetRunAsync(b.RunId, Ct);
        Assert.Equal(ToolCallPhase.Expired, state!.Calls[callId].Phase);
        Assert.Equal(RunStatus.Completed, state.Status);
        Assert.Equal("Gave up on that.", state.Result);
        Assert.Equal(0, high.Executions);
        Assert.Contains("expired", Model.ToolResultsIn(2).Single().Content, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(AutonomyLevel.Autonomous)]
    [InlineData(AutonomyLevel.Supervised)]
    [InlineData(AutonomyLevel.Manual)]
    public async Task Ask_human_waits_in_every_autonomy_level_and_the_answer_is_the_tool_result(AutonomyLevel autonomy)
    {
        var h = new RuntimeHarness { Chat = Model.Gateway };
        h.Define(autonomy, tools: []);
        Model.Enqueue(ScriptedTurn.ToolCalls(("ask_human", """{"question":"Which region?"}""")), ScriptedTurn.Text("Using EU."));
        await using var runtime = h.CreateRuntime();

        var waiting = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        var question = Assert.Single(waiting.Pending);
        Assert.Equal(PendingKind.Question, question.Kind);
        Assert.Equal("Which region?", question.Reason);
        var result = await runtime.AnswerAsync(waiting.RunId, question.Id, "EU", "bob", cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal("Using EU.", result.Result);
        Assert.Equal("EU", Model.ToolResultsIn(1).Single().Content);
        var trace = (await h.EventsAsync(result.RunId))[^1].Data.GetProperty("trace").EnumerateArray().ToList();
        Assert.Contains(trace, s => s.GetProperty("action").GetString() == "ask_human");
    }
}

public sealed class OpenAIAutonomyTests : AutonomyTests
{
    protected override ProviderKind Kind => ProviderKind.OpenAI;
}

public sealed class AnthropicAutonomyTests : AutonomyTests
{
    protected override ProviderKind Kind => ProviderKind.Anthropic;
}
