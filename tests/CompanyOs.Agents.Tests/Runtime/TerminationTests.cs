using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Llm.Errors;
using Microsoft.Extensions.AI;

namespace CompanyOs.Agents.Tests.Runtime;

public sealed class TerminationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Max_iterations_takes_one_last_turn_without_tools_and_keeps_its_partial_answer()
    {
        var h = new RuntimeHarness();
        var tool = h.AddTool("web_search");
        h.Define(maxIterations: 2);
        h.Script.ThenCalls(("c1", "web_search", new { query = "a" }))
            .ThenCalls(("c2", "web_search", new { query = "b" }))
            .ThenText("Best so far: partial.");
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.MaxIterations, result.Status);
        Assert.Equal("Best so far: partial.", result.Result);
        Assert.Equal(2, result.State.Iterations);
        Assert.Equal(2, tool.Executions);
        var (messages, options) = h.Script.Requests[2];
        Assert.Equal(ChatToolMode.None, options!.ToolMode);
        Assert.Contains("maximum number of iterations", messages[^1].Text, StringComparison.Ordinal);
        var types = await h.TypesAsync(result.RunId);
        Assert.Equal(["LlmCallCompleted", "AssistantMessage", "RunMaxIterationsReached", "AgentReasoningCompleted"], types[^4..]);
    }

    [Fact]
    public async Task Tool_calls_in_the_final_turn_are_ignored_not_left_without_results()
    {
        var h = new RuntimeHarness();
        var tool = h.AddTool("web_search");
        h.Define(maxIterations: 1);
        h.Script.ThenCalls(("c1", "web_search", new { query = "a" })).ThenCalls(("c2", "web_search", new { query = "b" }));
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.MaxIterations, result.Status);
        Assert.Equal(1, tool.Executions);
        Assert.Empty(result.State.Turns[^1].CallIds);
        Assert.Equal("Let me use tools.", result.Result);
    }

    [Fact]
    public async Task Usd_budget_is_checked_before_each_call()
    {
        var h = new RuntimeHarness();
        h.AddTool("web_search");
        h.Define(budget: new AgentBudget(MaxUsd: 0.025m));
        h.Script.CostPerCall = 0.01m;
        for (var i = 0; i < 5; i++)
        {
            h.Script.ThenCalls(($"c{i}", "web_search", new { query = "a" }));
        }

        await using var runtime = h.CreateRuntime();
        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.BudgetExceeded, result.Status);
        Assert.Equal(3, h.Script.Requests.Count);
        Assert.Equal(0.03m, result.State.CostUsd);
        Assert.Equal(["RunBudgetExceeded", "AgentReasoningCompleted"], (await h.TypesAsync(result.RunId))[^2..]);
    }

    [Fact]
    public async Task Token_budget_counts_every_call_of_the_run()
    {
        var h = new RuntimeHarness();
        h.AddTool("web_search");
        h.Define(budget: new AgentBudget(MaxTokens: 200));
        h.Script.ThenCalls(("c1", "web_search", new { query = "a" })).ThenCalls(("c2", "web_search", new { query = "b" })).ThenText("never");
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.BudgetExceeded, result.Status);
        Assert.Equal(240, result.State.TotalTokens);
        Assert.Equal(2, h.Script.Requests.Count);
    }

    [Fact]
    public async Task Provider_down_after_fallback_fails_the_run_with_the_cause()
    {
        var h = new RuntimeHarness();
        h.Define();
        h.Script.ThenThrow(new ProviderException("openai", ProviderErrorKind.Unavailable, 503, "openai: service unavailable after 3 retries"));
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("service unavailable", result.Error, StringComparison.Ordinal);
        var failed = (await h.EventsAsync(result.RunId)).Single(e => e.Type == "RunFailed").Data;
        Assert.Equal("Unavailable", failed.GetProperty("error_kind").GetString());
        Assert.Equal("openai", failed.GetProperty("provider").GetString());
    }

    [Fact]
    public async Task Unknown_cost_is_flagged_not_counted_as_zero()
    {
        var h = new RuntimeHarness();
        h.Define();
        h.Script.CostPerCall = null;
        h.Script.ThenText("ok");
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.True(result.State.CostIncomplete);
        var call = (await h.EventsAsync(result.RunId)).Single(e => e.Type == "LlmCallCompleted").Data;
        Assert.Equal(System.Text.Json.JsonValueKind.Null, call.GetProperty("cost_usd").ValueKind);
    }

    [Fact]
    public async Task Unknown_agent_type_and_missing_persona_variables_are_clear_errors()
    {
        var h = new RuntimeHarness();
        h.Define(type: "test");
        await using var runtime = h.CreateRuntime();

        var unknown = await Assert.ThrowsAsync<CompanyOs.Agents.Runtime.AgentRunException>(() => runtime.RunAsync(RuntimeHarness.Request(type: "nobody"), cancellationToken: Ct));
        Assert.Contains("known: test", unknown.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<CompanyOs.Prompts.PromptException>(() => runtime.RunAsync(RuntimeHarness.Request(type: "test"), cancellationToken: Ct));
        Assert.Equal("project", missing.Variable);

        h.Script.ThenText("ok");
        var ok = await runtime.RunAsync(
            RuntimeHarness.Request(type: "test") with { Variables = new Dictionary<string, object?> { ["project"] = "Apollo", ["extra"] = 1 } },
            cancellationToken: Ct);
        Assert.Contains("test agent for Apollo", ok.State.Start!.SystemPrompt, StringComparison.Ordinal);
        Assert.Equal(1, ok.State.Start.Variables["extra"].GetInt32());
    }
}
