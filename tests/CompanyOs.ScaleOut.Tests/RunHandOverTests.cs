using System.Text.Json;
using CompanyOs.Emulator.Scripting;
using CompanyOs.ScaleOut.Tests.Infrastructure;

namespace CompanyOs.ScaleOut.Tests;

/// <summary>
/// Agent runs across two real server processes over one PostgreSQL run store: any instance serves any run, and a killed
/// instance's run is finished by the other once its lease has expired — every acknowledged event kept, versions gap-free,
/// no tool executed twice (the <c>rec__append</c> tool appends one line to a file per execution, whichever process runs it).
/// </summary>
public sealed class RunHandOverTests
{
    [Fact]
    public async Task A_run_started_on_instance_A_is_approved_through_instance_B_and_completes()
    {
        await using var cluster = await ScaleOutCluster.StartAsync(new ClusterSettings());
        Script(cluster, line: "approved", holdMilliseconds: 0);
        var key = await cluster.CreateKeyAsync("acme");
        using var a = cluster[0].Client(key);
        using var b = cluster[1].Client(key);

        var runId = await a.StartRunAsync("approver", "Record one line");
        await b.WaitForStatusAsync(runId, "awaiting_approval", context: () => cluster.Output);
        var decisions = await b.GetJsonAsync("v1/decisions");
        var pending = Assert.Single(decisions.GetProperty("data").EnumerateArray(), d => d.GetProperty("run_id").GetString() == runId);
        Assert.Equal("rec__append", pending.GetProperty("tool").GetString());
        await b.PostJsonAsync($"v1/runs/{runId}/approvals/{pending.GetProperty("call_id").GetString()}/approve", "{}", 200);

        var run = await a.WaitForStatusAsync(runId, "completed", context: () => cluster.Output);
        Assert.Equal("Recorded.", run.GetProperty("result").GetString());
        Assert.Equal(["approved"], cluster.Project.Executions);
        var events = await a.ReadEventsAsync(runId);
        AssertGapFree(events);
        Assert.Contains(events, e => e.Type == "approval_granted");
        Assert.Single(events, e => e.Type == "tool_completed");
    }

    [Fact]
    public async Task Kill_9_of_the_instance_executing_a_tool_lets_the_other_finish_the_run_after_the_lease_expires_with_no_lost_event_and_no_second_execution()
    {
        await using var cluster = await ScaleOutCluster.StartAsync(new ClusterSettings { RunLeaseSeconds = 3 });
        // The tool appends its line and then holds for a minute: A is killed while it executes.
        Script(cluster, line: "executed", holdMilliseconds: 60_000);
        var key = await cluster.CreateKeyAsync("acme");
        using var a = cluster[0].Client(key);
        using var b = cluster[1].Client(key);

        var runId = await a.StartRunAsync("worker", "Record one line");
        var acknowledged = await a.ReadEventsAsync(runId, until: events => events.Any(e => e.Type == "tool_started"));
        await Poll.UntilAsync(() => cluster.Project.Executions.Count == 1, "the tool to execute on instance A", cancellationToken: TestContext.Current.CancellationToken);
        await cluster[0].KillAsync();

        var run = await b.WaitForStatusAsync(runId, "completed", TimeSpan.FromSeconds(50), () => cluster.Output);
        Assert.Equal("Recorded.", run.GetProperty("result").GetString());
        Assert.Equal(["executed"], cluster.Project.Executions);

        var events = await b.ReadEventsAsync(runId);
        AssertGapFree(events);
        foreach (var seen in acknowledged)
        {
            Assert.Equal(seen.Type, events[(int)seen.Version].Type);
        }

        // The call A had started has no result from A: B records it as interrupted (its effects unknown) and never runs it again.
        var callId = acknowledged.Single(e => e.Type == "tool_started").Data.GetProperty("call_id").GetString();
        Assert.Single(events, e => e.Type == "tool_interrupted" && e.Data.GetProperty("call_id").GetString() == callId);
        Assert.DoesNotContain(events, e => e.Type == "tool_completed");
        Assert.Contains(events, e => e.Type == "run_completed");
    }

    private static void Script(ScaleOutCluster cluster, string line, int holdMilliseconds)
    {
        var arguments = JsonSerializer.Serialize(new { file = cluster.Project.ExecutionLog, line, hold = holdMilliseconds });
        cluster.Emulator.Script.Enqueue(ScriptedTurn.ToolCalls(("rec__append", arguments)).AtPosition(0));
        cluster.Emulator.Script.Enqueue(ScriptedTurn.Text("Recorded.").AtPosition(1));
    }

    private static void AssertGapFree(List<StoredEvent> events)
    {
        Assert.NotEmpty(events);
        Assert.Equal(Enumerable.Range(0, events.Count).Select(i => (long)i), events.Select(e => e.Version));
    }
}
