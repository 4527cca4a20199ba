using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Leases;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Tools;
using Microsoft.Extensions.AI;

namespace CompanyOs.Agents.Tests.Runtime;

public sealed class DurabilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Runs until a tool call has started, then cancels: the stored run has a Started without a result.</summary>
    private static async Task<string> InterruptDuringToolAsync(RuntimeHarness h, CountingTool tool)
    {
        using var stop = new CancellationTokenSource();
        tool.OnInvoke = async (_, ct) =>
        {
            await stop.CancelAsync();
            await Task.Delay(Timeout.Infinite, ct);
            return ToolResult.Success("never");
        };
        await using var runtime = h.CreateRuntime();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runtime.RunAsync(RuntimeHarness.Request() with { RunId = "run-x" }, cancellationToken: stop.Token));
        tool.OnInvoke = null;
        return "run-x";
    }

    [Fact]
    public async Task A_started_non_idempotent_tool_is_not_rerun_on_resume_and_the_model_is_told()
    {
        var h = new RuntimeHarness();
        var tool = h.AddTool("deploy", idempotent: false);
        h.Define();
        h.Script.ThenCalls(("c1", "deploy", new { query = "prod" })).ThenText("Checked.");
        var runId = await InterruptDuringToolAsync(h, tool);
        Assert.Equal("ToolCallStarted", (await h.TypesAsync(runId))[^1]);

        await using var runtime = h.CreateRuntime();
        var result = await runtime.ResumeAsync(runId, cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(1, tool.Executions);
        Assert.Equal(ToolCallPhase.Interrupted, result.State.Calls["c1"].Phase);
        var toModel = h.Script.Requests[^1].Messages[^1].Contents.OfType<FunctionResultContent>().Single().Result!.ToString()!;
        Assert.StartsWith("Interrupted", toModel, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_started_idempotent_tool_is_rerun_on_resume()
    {
        var h = new RuntimeHarness();
        var tool = h.AddTool("web_search", idempotent: true);
        h.Define();
        h.Script.ThenCalls(("c1", "web_search", new { query = "q" })).ThenText("Done.");
        var runId = await InterruptDuringToolAsync(h, tool);

        await using var runtime = h.CreateRuntime();
        var result = await runtime.ResumeAsync(runId, cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(2, tool.Executions);
        Assert.Equal(2, result.State.Calls["c1"].Attempts);
        Assert.Equal(ToolCallPhase.Completed, result.State.Calls["c1"].Phase);
    }

    [Fact]
    public async Task Resume_of_a_run_stopped_between_model_turns_continues_from_the_store()
    {
        var h = new RuntimeHarness();
        var tool = h.AddTool("web_search");
        h.Define();
        h.Script.ThenCalls(("c1", "web_search", new { query = "q" }));
        await using (var first = h.CreateRuntime())
        {
            // The script runs out after the first turn: the second model call throws, which fails the run...
            // so instead stop the run right after the tool results are stored.
            using var stop = new CancellationTokenSource();
            tool.OnInvoke = (_, _) => Task.FromResult(ToolResult.Success("r"));
            var stepsSeen = 0;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.RunAsync(
                RuntimeHarness.Request() with { RunId = "run-y" },
                async (step, _) =>
                {
                    if (step.Event is ToolCallCompleted)
                    {
                        stepsSeen++;
                        await stop.CancelAsync();
                    }
                },
                stop.Token));
            Assert.Equal(1, stepsSeen);
        }

        h.Script.ThenText("Resumed answer.");
        await using var second = h.CreateRuntime();
        var result = await second.ResumeAsync("run-y", cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal("Resumed answer.", result.Result);
        Assert.Equal(1, tool.Executions);
    }

    [Fact]
    public async Task Without_leases_two_drivers_of_one_run_never_both_run_a_tool_the_loser_stops_cleanly()
    {
        // The safety net under the leases: optimistic concurrency on the run's stream alone.
        var (h, tool, gate) = GatedDeployment();
        h.Script.ThenText("done");
        var noLeases = new AgentRuntimeOptions { UseRunLeases = false };
        await using var a = h.CreateRuntime(noLeases);
        var waiting = await a.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        await using var b = h.CreateRuntime(noLeases);

        // Both approve "at once": exactly one decision is recorded; the other sees the call already decided.
        var first = a.ApproveAsync(waiting.RunId, "c1", cancellationToken: Ct);
        await Poll.UntilAsync(() => tool.Executions > 0, "the approved call never reached the tool", cancellationToken: Ct);

        var second = await Assert.ThrowsAsync<AgentRunException>(() => b.ApproveAsync(waiting.RunId, "c1", cancellationToken: Ct));
        Assert.Equal(AgentRunErrorKind.NotPending, second.Kind);
        var resumed = await b.ResumeAsync(waiting.RunId, cancellationToken: Ct);
        gate.Release(2);
        var winner = await first;

        Assert.Equal(1, tool.Executions);
        Assert.True(resumed.OwnershipLost || winner.OwnershipLost);
        var events = await h.EventsAsync(waiting.RunId);
        Assert.Single(events, e => e.Type == "ToolCallStarted");
        Assert.Equal(RunStatus.Completed, RunState.From(events).Status);
    }

    [Fact]
    public async Task With_leases_a_run_driven_by_one_instance_is_left_alone_by_another()
    {
        var (h, tool, gate) = GatedDeployment();
        await using var a = h.CreateRuntime(new AgentRuntimeOptions { InstanceId = "instance-a" });
        var waiting = await a.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        await using var b = h.CreateRuntime(new AgentRuntimeOptions { InstanceId = "instance-b" });

        var driving = a.ApproveAsync(waiting.RunId, "c1", cancellationToken: Ct);
        await Poll.UntilAsync(() => tool.Executions > 0, "the approved call never reached the tool", cancellationToken: Ct);

        var fromB = await b.ResumeAsync(waiting.RunId, cancellationToken: Ct);
        Assert.Equal("instance-a", fromB.DrivenBy);
        Assert.Equal(RunStatus.Running, fromB.Status);
        gate.Release();
        var fromA = await driving;

        Assert.Equal(RunStatus.Completed, fromA.Status);
        Assert.False(fromA.OwnershipLost);
        Assert.Null(fromA.DrivenBy);
        Assert.Equal(1, tool.Executions);
        var events = await h.EventsAsync(waiting.RunId);
        Assert.Single(events, e => e.Type == "ToolCallStarted");
        Assert.DoesNotContain(events, e => e.Type == "ToolCallInterrupted");

        // Every drive took the lease (the token counts them) and gave it back: the next instance drives at once. No lease events.
        Assert.Equal(new StoredRunLease(waiting.RunId, null, h.Time.GetUtcNow(), 2), await RunLeaseStore.For(h.Store).GetAsync(waiting.RunId, Ct));
        Assert.Empty(await h.Store.ListStreamsAsync("agent-lease:", null, Ct).ToListAsync(Ct));
        Assert.NotNull(fromB.State.Start);
    }

    [Fact]
    public async Task A_decision_recorded_while_another_instance_holds_the_lease_is_acted_on_not_stranded()
    {
        var hooked = new HookedEventStore(new CompanyOs.Events.InMemory.InMemoryEventStore());
        var h = new RuntimeHarness(hooked);
        var read = h.AddTool("read_file");
        var search = h.AddTool("web_search");
        h.Define(CompanyOs.Agents.Definitions.AutonomyLevel.Manual);
        h.Script.ThenCalls(("c1", "read_file", new { query = "a" }), ("c2", "web_search", new { query = "b" })).ThenText("Both done.");
        await using var a = h.CreateRuntime(new AgentRuntimeOptions { InstanceId = "instance-a" });
        await using var b = h.CreateRuntime(new AgentRuntimeOptions { InstanceId = "instance-b" });
        var waiting = await a.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        var stream = RunEventCodec.StreamId(waiting.RunId);

        // a approves c1 and drives (the run still waits for c2). Just before a's drive checks whether anything arrived
        // while it held the lease, b approves c2: b records its decision but cannot take the lease a still holds.
        Task<AgentRunResult>? fromB = null;
        hooked.BeforeVersionRead = async id =>
        {
            if (id != stream || fromB is not null)
            {
                return;
            }

            var before = await h.Store.ReadStreamAsync(stream, 0, Ct).CountAsync(Ct);
            fromB = Task.Run(() => b.ApproveAsync(waiting.RunId, "c2", cancellationToken: Ct), Ct);
            await Poll.UntilAsync(
                async () => await h.Store.ReadStreamAsync(stream, 0, Ct).CountAsync(Ct) != before, "b's decision was never recorded", cancellationToken: Ct);
        };
        var fromA = await a.ApproveAsync(waiting.RunId, "c1", cancellationToken: Ct);
        var fromBResult = await fromB!.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        // a saw b's decision before letting go and finished the run; b found it driven or already done.
        Assert.Equal(RunStatus.Completed, fromA.Status);
        Assert.Equal("Both done.", fromA.Result);
        Assert.True(fromBResult.DrivenBy == "instance-a" || fromBResult.Status == RunStatus.Completed);
        Assert.Equal((1, 1), (read.Executions, search.Executions));
        var types = await h.TypesAsync(waiting.RunId);
        Assert.Equal(2, types.Count(t => t == "ApprovalGranted"));
        Assert.DoesNotContain("ToolCallInterrupted", types);
    }

    [Fact]
    public async Task The_lease_of_an_instance_that_stopped_renewing_expires_and_the_run_is_taken_over()
    {
        var h = new RuntimeHarness();
        var tool = h.AddTool("web_search");
        h.Define(tools: ["web_search"]);
        h.Script.ThenText("taken over");
        await using var b = h.CreateRuntime(new AgentRuntimeOptions { InstanceId = "instance-b", LeaseDuration = TimeSpan.FromSeconds(30) });
        var runId = await b.StartOnlyAsync(RuntimeHarness.Request(), Ct);

        // A crashed instance: it took the lease and never renewed or released it.
        var crashed = new RunLeases(h.Store, "crashed", TimeSpan.FromSeconds(30), h.Time);
        Assert.NotNull((await crashed.TryAcquireAsync(runId, "org-1", Ct)).Lease);

        var early = await b.ResumeAsync(runId, cancellationToken: Ct);
        Assert.Equal("crashed", early.DrivenBy);
        Assert.Empty(h.Script.Requests);

        h.Time.Advance(TimeSpan.FromSeconds(31));
        var late = await b.ResumeAsync(runId, cancellationToken: Ct);
        Assert.Null(late.DrivenBy);
        Assert.Equal(RunStatus.Completed, late.Status);
        Assert.Equal("taken over", late.Result);
        Assert.Null(await crashed.GetHolderAsync(runId, Ct));
    }

    [Fact]
    public async Task A_drive_renews_its_lease_and_stops_when_another_instance_took_it_over()
    {
        var h = new RuntimeHarness();
        // Its timeout is beyond the fake time the test lets pass.
        var tool = new CountingTool("web_search") { Timeout = TimeSpan.FromHours(1) };
        h.Tools.Register(tool);
        h.Define(tools: ["web_search"]);
        var started = new TaskCompletionSource();
        tool.OnInvoke = async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return ToolResult.Success("never");
        };
        h.Script.ThenCalls(("c1", "web_search", new { query = "q" }));
        await using var a = h.CreateRuntime(new AgentRuntimeOptions { InstanceId = "instance-a", LeaseDuration = TimeSpan.FromSeconds(30) });
        var driving = a.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        await started.Task.WaitAsync(Ct);
        var runId = (await h.Store.ListStreamsAsync("agent-session:", null, Ct).ToListAsync(Ct)).Single().StreamId["agent-session:".Length..];
        var other = new RunLeases(h.Store, "instance-b", TimeSpan.FromSeconds(30), h.Time);

        // While instance a renews (every 10 s of its clock), nobody else gets the lease.
        var leases = RunLeaseStore.For(h.Store);
        for (var i = 0; i < 6; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(10));
            await WaitForRenewalAsync(leases, runId, h.Time.GetUtcNow() + TimeSpan.FromSeconds(30));
        }

        Assert.Equal("instance-a", (await other.TryAcquireAsync(runId, "org-1", Ct)).HeldBy);
        Assert.Equal(1, (await leases.GetAsync(runId, Ct))!.Token);

        // Split brain: b takes the lease over (as if a's renewals had stopped reaching the store and b's clock saw it expire).
        var takeover = await leases.TryAcquireAsync(runId, "instance-b", "org-1", h.Time.GetUtcNow().AddMinutes(1), TimeSpan.FromMinutes(5), Ct);
        Assert.Equal(2, takeover.Lease!.Token);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        var result = await driving.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        // a's next renewal carried the old token, failed, and a stopped without touching the lease b holds.
        Assert.True(result.OwnershipLost);
        Assert.Equal(RunStatus.Running, result.Status);
        Assert.Equal(new StoredRunLease(runId, "instance-b", takeover.Lease.ExpiresAt, 2), await leases.GetAsync(runId, Ct));
        Assert.Equal(1, tool.Executions);
    }

    [Fact]
    public async Task A_stale_holder_whose_lease_was_taken_over_fails_its_next_append_and_its_tool_is_not_run_again()
    {
        var h = new RuntimeHarness();
        // Its timeout is beyond the fake time the test lets pass.
        var tool = new CountingTool("web_search") { Timeout = TimeSpan.FromHours(1) };
        h.Tools.Register(tool);
        h.Define(tools: ["web_search"]);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tool.OnInvoke = async (_, ct) =>
        {
            started.TrySetResult();
            await finish.Task.WaitAsync(ct);
            return ToolResult.Success("stale result");
        };
        h.Script.ThenCalls(("c1", "web_search", new { query = "q" })).ThenText("done by b");

        // Instance a is cut off from the lease table (its renewals hang), not from the run's stream.
        var leases = new HookedRunLeaseStore(new InMemoryRunLeaseStore());
        RunLeaseStore.Use(h.Store, leases);
        leases.BeforeRenew = (lease, ct) => lease.Owner == "instance-a" ? Task.Delay(Timeout.Infinite, ct) : Task.CompletedTask;
        await using var a = h.CreateRuntime(new AgentRuntimeOptions { InstanceId = "instance-a", LeaseDuration = TimeSpan.FromSeconds(30) });
        var driving = a.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        await started.Task.WaitAsync(Ct);
        var runId = (await h.Store.ListStreamsAsync("agent-session:", null, Ct).ToListAsync(Ct)).Single().StreamId["agent-session:".Length..];

        // a's lease expires; b takes the run over (token 2) and finishes it: the call a started is settled as interrupted.
        h.Time.Advance(TimeSpan.FromSeconds(31));
        await using var b = h.CreateRuntime(new AgentRuntimeOptions { InstanceId = "instance-b", LeaseDuration = TimeSpan.FromSeconds(30) });
        var fromB = await b.ResumeAsync(runId, cancellationToken: Ct);
        Assert.Equal((RunStatus.Completed, "done by b"), (fromB.Status, fromB.Result));

        // a's tool returns now: a's next append (the result) fails on the stream version and a stops, writing nothing.
        var before = await h.EventsAsync(runId);
        finish.SetResult();
        var fromA = await driving.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.True(fromA.OwnershipLost);
        Assert.Equal(RunStatus.Completed, fromA.Status);
        var events = await h.EventsAsync(runId);
        Assert.Equal(before.Count, events.Count);
        Assert.Equal(1, tool.Executions);
        Assert.Single(events, e => e.Type == "ToolCallStarted");
        Assert.Single(events, e => e.Type == "ToolCallInterrupted");
        Assert.DoesNotContain(events, e => e.Type == "ToolCallCompleted");
        Assert.Equal(new StoredRunLease(runId, null, h.Time.GetUtcNow(), 2), await leases.GetAsync(runId, Ct));
    }

    /// <summary>A supervised agent whose high-risk "deploy" call (c1) waits for approval, then runs until the gate opens.</summary>
    private static (RuntimeHarness H, CountingTool Tool, SemaphoreSlim Gate) GatedDeployment()
    {
        var h = new RuntimeHarness();
        var tool = h.AddTool("deploy", ToolRisk.High);
        h.Define(CompanyOs.Agents.Definitions.AutonomyLevel.Supervised, tools: ["deploy"]);
        var gate = new SemaphoreSlim(0);
        tool.OnInvoke = async (_, ct) =>
        {
            await gate.WaitAsync(ct);
            return ToolResult.Success("deployed");
        };
        h.Script.ThenCalls(("c1", "deploy", new { query = "prod" })).ThenText("done");
        return (h, tool, gate);
    }

    private static async Task WaitForRenewalAsync(IRunLeaseStore leases, string runId, DateTimeOffset expiresAt)
    {
        for (var i = 0; i < 500 && (await leases.GetAsync(runId, Ct))?.ExpiresAt < expiresAt; i++)
        {
            await Task.Delay(2, Ct);
        }

        Assert.True((await leases.GetAsync(runId, Ct))?.ExpiresAt >= expiresAt, $"the lease was not renewed until {expiresAt:O}");
    }

    [Fact]
    public async Task Cancel_stops_a_waiting_run_for_good()
    {
        var h = new RuntimeHarness();
        h.AddTool("execute_code", ToolRisk.High);
        h.Define(CompanyOs.Agents.Definitions.AutonomyLevel.Supervised);
        h.Script.ThenCalls(("c1", "execute_code", new { query = "x" }));
        await using var runtime = h.CreateRuntime();
        var waiting = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        var cancelled = await runtime.CancelAsync(waiting.RunId, "not needed", "carol", Ct);

        Assert.Equal(RunStatus.Cancelled, cancelled.Status);
        Assert.Empty(await runtime.ListPendingApprovalsAsync("org-1", Ct).ToListAsync(Ct));
        var error = await Assert.ThrowsAsync<AgentRunException>(() => runtime.ApproveAsync(waiting.RunId, "c1", cancellationToken: Ct));
        Assert.Equal(AgentRunErrorKind.RunEnded, error.Kind);
        Assert.Equal("AgentReasoningCompleted", (await h.TypesAsync(waiting.RunId))[^1]);
    }
}
