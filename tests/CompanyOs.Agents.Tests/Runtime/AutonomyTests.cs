using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Tools;
using Microsoft.Extensions.AI;

namespace CompanyOs.Agents.Tests.Runtime;

public sealed class AutonomyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static (RuntimeHarness H, CountingTool Low, CountingTool High) Setup(AutonomyLevel autonomy, TimeSpan? approvalTimeout = null)
    {
        var h = new RuntimeHarness();
        var low = h.AddTool("read_file", ToolRisk.Low);
        var high = h.AddTool("execute_code", ToolRisk.High);
        h.Define(autonomy, approvalTimeout: approvalTimeout);
        h.Script.ThenCalls(("c1", "read_file", new { query = "a" }), ("c2", "execute_code", new { query = "b" }))
            .ThenText("Finished.");
        return (h, low, high);
    }

    [Theory]
    [InlineData(AutonomyLevel.Manual, new[] { "c1", "c2" })]
    [InlineData(AutonomyLevel.Supervised, new[] { "c2" })]
    [InlineData(AutonomyLevel.Autonomous, new string[0])]
    public async Task Which_calls_wait_depends_on_autonomy_and_risk(AutonomyLevel autonomy, string[] waiting)
    {
        var (h, low, high) = Setup(autonomy);
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(waiting, result.Pending.Select(p => p.CallId).Order(StringComparer.Ordinal));
        if (waiting.Length == 0)
        {
            Assert.Equal(RunStatus.Completed, result.Status);
            Assert.Equal((1, 1), (low.Executions, high.Executions));
        }
        else
        {
            Assert.Equal(RunStatus.AwaitingApproval, result.Status);
            Assert.Equal((0, 0), (low.Executions, high.Executions));
            Assert.All(result.Pending, p => Assert.Equal(ArgumentsHash.Compute(p.ProposedArguments), p.ArgumentsHash));
        }
    }

    [Fact]
    public void Unknown_risk_waits_under_supervised_autonomy()
    {
        Assert.NotNull(ApprovalPolicy.ReasonToWait(AutonomyLevel.Supervised, "mystery", null));
        Assert.Null(ApprovalPolicy.ReasonToWait(AutonomyLevel.Autonomous, "mystery", null));
    }

    [Fact]
    public async Task Approve_runs_the_call_and_the_batch_results_go_back_together()
    {
        var (h, low, high) = Setup(AutonomyLevel.Supervised);
        await using var runtime = h.CreateRuntime();
        var waiting = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        var result = await runtime.ApproveAsync(waiting.RunId, "c2", decidedBy: "alice", cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal((1, 1), (low.Executions, high.Executions));
        Assert.Equal(2, h.Script.Requests.Count);
        Assert.Equal(["c1", "c2"], h.Script.Requests[1].Messages[^1].Contents.OfType<FunctionResultContent>().Select(r => r.CallId));
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

        var result = await runtime.ApproveAsync(waiting.RunId, "c2", RuntimeHarness.Json("""{"query":"safer"}"""), cancellationToken: Ct);

        Assert.Equal("safer", Assert.Single(high.Arguments).GetProperty("query").GetString());
        var granted = (await h.EventsAsync(result.RunId)).Single(e => e.Type == "ApprovalGranted").Data;
        Assert.Equal("b", granted.GetProperty("proposed_arguments").GetProperty("query").GetString());
        Assert.Equal("safer", granted.GetProperty("effective_arguments").GetProperty("query").GetString());
        Assert.True(granted.GetProperty("edited").GetBoolean());
        var toModel = h.Script.Requests[1].Messages[^1].Contents.OfType<FunctionResultContent>().Single(r => r.CallId == "c2").Result!.ToString()!;
        Assert.Contains("changed the arguments", toModel, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edited_arguments_that_break_the_schema_are_refused_and_nothing_is_recorded()
    {
        var (h, _, high) = Setup(AutonomyLevel.Supervised);
        await using var runtime = h.CreateRuntime();
        var waiting = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        var before = (await h.EventsAsync(waiting.RunId)).Count;

        var error = await Assert.ThrowsAsync<AgentRunException>(() =>
            runtime.ApproveAsync(waiting.RunId, "c2", RuntimeHarness.Json("""{"query":5}"""), cancellationToken: Ct));

        Assert.Equal(AgentRunErrorKind.InvalidArguments, error.Kind);
        Assert.Contains("execute_code", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, (await h.EventsAsync(waiting.RunId)).Count);
        Assert.Equal(0, high.Executions);
    }

    [Fact]
    public async Task Reject_sends_a_rejection_result_to_the_model_and_never_runs_the_tool()
    {
        var (h, _, high) = Setup(AutonomyLevel.Supervised);
        await using var runtime = h.CreateRuntime();
        var waiting = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        var result = await runtime.RejectAsync(waiting.RunId, "c2", "too dangerous", cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(0, high.Executions);
        var toModel = h.Script.Requests[1].Messages[^1].Contents.OfType<FunctionResultContent>().Single(r => r.CallId == "c2").Result!.ToString()!;
        Assert.Contains("Rejected by a human reviewer: too dangerous", toModel, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manual_autonomy_waits_until_every_call_is_decided()
    {
        var (h, low, high) = Setup(AutonomyLevel.Manual);
        await using var runtime = h.CreateRuntime();
        var waiting = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        var afterFirst = await runtime.ApproveAsync(waiting.RunId, "c1", cancellationToken: Ct);
        Assert.Equal(RunStatus.AwaitingApproval, afterFirst.Status);
        Assert.Equal(0, low.Executions);
        var done = await runtime.RejectAsync(waiting.RunId, "c2", "no", cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, done.Status);
        Assert.Equal((1, 0), (low.Executions, high.Executions));
    }

    [Fact]
    public async Task Deciding_twice_or_an_unknown_call_is_a_clear_error()
    {
        var (h, _, _) = Setup(AutonomyLevel.Supervised);
        await using var runtime = h.CreateRuntime();
        var waiting = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        var unknown = await Assert.ThrowsAsync<AgentRunException>(() => runtime.ApproveAsync(waiting.RunId, "c9", cancellationToken: Ct));
        Assert.Equal(AgentRunErrorKind.NotPending, unknown.Kind);
        Assert.Contains("pending: c2", unknown.Message, StringComparison.Ordinal);
        await runtime.ApproveAsync(waiting.RunId, "c2", cancellationToken: Ct);
        var again = await Assert.ThrowsAsync<AgentRunException>(() => runtime.ApproveAsync(waiting.RunId, "c2", cancellationToken: Ct));
        Assert.Equal(AgentRunErrorKind.RunEnded, again.Kind);
        var missing = await Assert.ThrowsAsync<AgentRunException>(() => runtime.ApproveAsync("nope", "c2", cancellationToken: Ct));
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

        await using var second = h.CreateRuntime();
        var pending = await second.ListPendingApprovalsAsync("org-1", Ct).ToListAsync(Ct);
        var result = await second.ApproveAsync(runId, Assert.Single(pending).CallId, cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal((1, 1), (low.Executions, high.Executions));
        Assert.Equal("Finished.", result.Result);
    }

    [Fact]
    public async Task Pending_approvals_are_listed_per_org_and_expire()
    {
        var (h, _, _) = Setup(AutonomyLevel.Supervised, approvalTimeout: TimeSpan.FromHours(1));
        h.Chat = new ScriptedChatClient()
            .ThenCalls(("c2", "execute_code", new { query = "y" }))
            .ThenCalls(("d1", "execute_code", new { query = "z" }));
        await using var runtime = h.CreateRuntime();
        var a = await runtime.RunAsync(RuntimeHarness.Request(org: "org-a"), cancellationToken: Ct);
        var b = await runtime.RunAsync(RuntimeHarness.Request(org: "org-b"), cancellationToken: Ct);

        var forA = await runtime.ListPendingApprovalsAsync("org-a", Ct).ToListAsync(Ct);
        Assert.Equal([a.RunId], forA.Select(p => p.RunId));
        Assert.Equal(h.Time.GetUtcNow().AddHours(1), forA[0].ExpiresAt);
        Assert.Equal(2, (await runtime.ListPendingApprovalsAsync(null, Ct).ToListAsync(Ct)).Count);

        h.Time.Advance(TimeSpan.FromHours(2));
        Assert.Empty(await runtime.ListPendingApprovalsAsync("org-b", Ct).ToListAsync(Ct));
        h.Script.ThenText("Gave up on that.");
        var expired = await Assert.ThrowsAsync<AgentRunException>(() => runtime.ApproveAsync(b.RunId, "d1", cancellationToken: Ct));
        Assert.Equal(AgentRunErrorKind.Expired, expired.Kind);
        var state = await runtime.GetRunAsync(b.RunId, Ct);
        Assert.Equal(ToolCallPhase.Expired, state!.Calls["d1"].Phase);
        Assert.Equal(RunStatus.Completed, state.Status);
    }

    [Fact]
    public async Task Ask_human_waits_in_every_autonomy_level_and_the_answer_is_the_tool_result()
    {
        var h = new RuntimeHarness();
        h.Define(AutonomyLevel.Autonomous, tools: []);
        h.Script.ThenCalls(("q1", "ask_human", new { question = "Which region?" })).ThenText("Using EU.");
        await using var runtime = h.CreateRuntime();

        var waiting = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        var question = Assert.Single(waiting.Pending);
        Assert.Equal(PendingKind.Question, question.Kind);
        Assert.Equal("Which region?", question.Reason);
        var result = await runtime.AnswerAsync(waiting.RunId, question.Id, "EU", "bob", cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal("EU", h.Script.Requests[1].Messages[^1].Contents.OfType<FunctionResultContent>().Single().Result);
        var trace = (await h.EventsAsync(result.RunId))[^1].Data.GetProperty("trace").EnumerateArray().ToList();
        Assert.Contains(trace, s => s.GetProperty("action").GetString() == "ask_human");
    }
}
