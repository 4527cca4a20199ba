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
    public async Task A_tool_that_throws_with_a_huge_message_is_stored_capped_and_the_run_goes_on()
    {
        // Completed output was capped at MaxToolOutputChars but a thrown exception's message was stored whole: 5 M characters
        // made a ToolCallFailed over the event store's 4 MiB limit, and the append failed.
        var h = new RuntimeHarness();
        var tool = h.AddTool("dumper");
        tool.OnInvoke = (_, _) => throw new InvalidOperationException("dump: " + new string('x', 5_000_000));
        h.Define();
        h.Script.ThenCalls(("c1", "dumper", new { query = "a" })).ThenText("Recovered.");
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        var failed = (await h.EventsAsync(result.RunId)).Single(e => e.Type == "ToolCallFailed");
        var error = failed.Data.GetProperty("error").GetString()!;
        Assert.StartsWith("Tool 'dumper' failed: dump: xxx", error, StringComparison.Ordinal);
        Assert.InRange(error.Length, 1, new CompanyOs.Agents.Runtime.AgentRuntimeOptions().MaxToolOutputChars + 200);
        Assert.Contains("truncated", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_cut_at_the_cap_never_ends_in_half_a_surrogate_pair()
    {
        // An emoji straddling the cap was cut in two; a lone surrogate is not valid Unicode (PostgreSQL's jsonb refuses it).
        var h = new RuntimeHarness();
        var cap = new CompanyOs.Agents.Runtime.AgentRuntimeOptions().MaxToolOutputChars;
        var tool = h.AddTool("emoji");
        tool.OnInvoke = (_, _) => Task.FromResult(ToolResult.Success(new string('x', cap - 1) + "\U0001F600" + "tail"));
        h.Define();
        h.Script.ThenCalls(("c1", "emoji", new { query = "a" })).ThenText("Done.");
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        var completed = (await h.EventsAsync(result.RunId)).Single(e => e.Type == "ToolCallCompleted");
        var output = completed.Data.GetProperty("output").GetString()!;
        Assert.StartsWith(new string('x', cap - 1) + "\n[output truncated: 6 of", output, StringComparison.Ordinal);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(output) == new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetByteCount(output));
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
