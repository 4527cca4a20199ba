using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Leases;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Events.InMemory;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway.Routing;
using CompanyOs.Tools;

namespace CompanyOs.Agents.Tests.Runtime;

/// <summary>How drives end: disposal waits for them; only expected LLM-layer failures become <c>RunFailed</c>.</summary>
public sealed class DriveLifecycleTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dispose_waits_until_drives_have_ended_and_released_their_lease()
    {
        var store = new HookedEventStore(new InMemoryEventStore());
        var h = new RuntimeHarness(store);
        var toolStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tool = h.AddTool("web_search");
        tool.OnInvoke = async (_, ct) =>
        {
            toolStarted.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return ToolResult.Success("never");
        };
        h.Define();
        h.Script.ThenCalls(("c1", "web_search", new { query = "a" }));
        var releasing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var leases = new HookedRunLeaseStore(new InMemoryRunLeaseStore());
        RunLeaseStore.Use(store, leases);
        leases.BeforeRelease = async _ =>
        {
            releasing.TrySetResult();
            await releaseGate.Task;
        };
        var runtime = h.CreateRuntime();
        var running = runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        await toolStarted.Task.WaitAsync(Bound, Ct);

        var disposing = runtime.DisposeAsync().AsTask();
        await releasing.Task.WaitAsync(Bound, Ct);
        await Task.WhenAny(disposing, Task.Delay(TimeSpan.FromMilliseconds(300), Ct));

        // The drive is still releasing its lease: disposal must not have returned yet (the host may dispose the store next).
        Assert.False(disposing.IsCompleted, "DisposeAsync returned while a drive was still writing to the store");
        releaseGate.SetResult();
        await disposing.WaitAsync(Bound, Ct);
        Assert.True(running.IsCompleted);
        var result = await running;
        Assert.Equal(RunStatus.Running, result.Status);
        Assert.Equal(1, leases.Released);
        var row = await leases.GetAsync(result.RunId, Ct);
        Assert.Null(row!.Owner);
    }

    [Fact]
    public async Task A_defect_in_a_model_turn_propagates_and_is_not_recorded_as_a_failed_run()
    {
        var h = new RuntimeHarness();
        h.Define();
        h.Script.ThenThrow(new InvalidOperationException("a bug in a chat client decorator")).ThenText("Fine now.");
        await using var runtime = h.CreateRuntime();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.RunAsync(RuntimeHarness.Request("task", "org-1"), cancellationToken: Ct));

        Assert.Equal("a bug in a chat client decorator", error.Message);
        var runId = (await h.Store.ListStreamsAsync("agent-session:", cancellationToken: Ct).ToListAsync(Ct)).Single().StreamId["agent-session:".Length..];
        Assert.DoesNotContain("RunFailed", await h.TypesAsync(runId));

        // Nothing was recorded for the defect, so the run can be resumed once it is fixed.
        var resumed = await runtime.ResumeAsync(runId, cancellationToken: Ct);
        Assert.Equal(RunStatus.Completed, resumed.Status);
        Assert.Equal("Fine now.", resumed.Result);
    }

    [Theory]
    [InlineData("provider")]
    [InlineData("routing")]
    public async Task An_expected_llm_failure_ends_the_run_as_failed_with_its_kind(string failure)
    {
        var h = new RuntimeHarness();
        h.Define();
        LlmException exception = failure == "provider"
            ? new ProviderException("anthropic", ProviderErrorKind.Overloaded, 529, "overloaded after retries and fallback")
            : new RoutingException("no-such-model", "model 'no-such-model' is not configured");
        h.Script.ThenThrow(exception);
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        var failed = (await h.EventsAsync(result.RunId)).Single(e => e.Type == nameof(RunFailed)).Data;
        Assert.Equal(failure == "provider" ? "Overloaded" : "Routing", failed.GetProperty("error_kind").GetString());
        Assert.Equal(exception.Message, failed.GetProperty("error").GetString());
    }
}
