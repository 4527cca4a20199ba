using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Tools;
using CompanyOs.Tools.Registry;

namespace CompanyOs.Agents.Tests.Runtime;

/// <summary>The runtime runs tools through the one <see cref="ToolInvoker"/>: its timeout, validation and error shaping apply.</summary>
public sealed class ToolInvocationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_synchronous_tool_that_blocks_past_its_timeout_fails_with_timeout_and_the_run_goes_on()
    {
        var h = new RuntimeHarness();
        using var entered = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();

        // A plain synchronous method, as AIFunctionFactory wraps it: it never sees a cancellation token.
        string Block(string query)
        {
            entered.Set();
            gate.Wait(TimeSpan.FromSeconds(30));
            return $"late {query}";
        }

        h.Tools.Register(AIFunctionTool.Create(Block, "blocking_lookup", "Looks something up, slowly.", ToolRisk.Low, timeout: TimeSpan.FromSeconds(5)));
        h.Define();
        h.Script.ThenCalls(("c1", "blocking_lookup", new { query = "a" })).ThenText("Answer without the lookup.");
        await using var runtime = h.CreateRuntime();
        try
        {
            var running = Task.Run(() => runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct), Ct);
            Assert.True(entered.Wait(TimeSpan.FromSeconds(10), Ct), "the tool never started");
            h.Time.Advance(TimeSpan.FromSeconds(6));

            // Without a bound on the call itself, the run waits for the method (30 s) however long its timeout says.
            var result = await running.WaitAsync(TimeSpan.FromSeconds(10), Ct);

            Assert.Equal(RunStatus.Completed, result.Status);
            Assert.Equal("Answer without the lookup.", result.Result);
            var call = result.State.Calls["c1"];
            Assert.Equal(ToolCallPhase.Failed, call.Phase);
            Assert.Contains("timed out after 5 s", call.Result, StringComparison.Ordinal);
            var failed = (await h.EventsAsync(result.RunId)).Single(e => e.Type == "ToolCallFailed");
            Assert.Equal("timeout", failed.Data.GetProperty("reason").GetString());
        }
        finally
        {
            gate.Set();
        }
    }

    [Fact]
    public async Task A_tool_that_cancels_its_own_operation_is_a_tool_error_not_a_stopped_run()
    {
        var h = new RuntimeHarness();
        var tool = h.AddTool("flaky");
        tool.OnInvoke = (_, _) => throw new OperationCanceledException("the tool's own HTTP call gave up");
        h.Define();
        h.Script.ThenCalls(("c1", "flaky", new { query = "a" })).ThenText("Recovered.");
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(ToolCallPhase.Failed, result.State.Calls["c1"].Phase);
        var failed = (await h.EventsAsync(result.RunId)).Single(e => e.Type == "ToolCallFailed");
        Assert.Equal("exception", failed.Data.GetProperty("reason").GetString());
    }
}
