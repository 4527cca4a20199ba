using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Configuration;

namespace CompanyOs.Agents.Tests.Emulated;

/// <summary>
/// How runs end — max iterations, USD and token budgets, provider down after retries and fallback — with every model
/// turn through the gateway (which prices it) to the emulator, once per provider wire format.
/// </summary>
public abstract class TerminationTests : EmulatedModelTests
{
    /// <summary>Price of one call reporting 50 input and 10,000 output tokens, from config/prices.json.</summary>
    protected abstract decimal CostOfScriptedCall { get; }

    private static ScriptedTurn Search(string query) => ScriptedTurn.ToolCalls(("web_search", $$"""{"query":"{{query}}"}""")).WithText("Let me use tools.");

    [Fact]
    public async Task Max_iterations_takes_one_last_turn_without_tools_and_keeps_its_partial_answer()
    {
        var h = new RuntimeHarness { Chat = Model.Gateway };
        var tool = h.AddTool("web_search");
        h.Define(maxIterations: 2);
        Model.Enqueue(Search("a"), Search("b"), ScriptedTurn.Text("Best so far: partial."));
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.MaxIterations, result.Status);
        Assert.Equal("Best so far: partial.", result.Result);
        Assert.Equal(2, result.State.Iterations);
        Assert.Equal(2, tool.Executions);
        Assert.Equal(3, Model.ChatRequests().Count);
        Assert.False(Model.ToolUseForbiddenIn(1));
        Assert.True(Model.ToolUseForbiddenIn(2), "the final turn declares the tools but forbids using them");
        Assert.Contains("maximum number of iterations", Model.LastMessageTextIn(2), StringComparison.Ordinal);
        var types = await h.TypesAsync(result.RunId);
        Assert.Equal(["LlmCallCompleted", "AssistantMessage", "RunMaxIterationsReached", "AgentReasoningCompleted"], types[^4..]);
    }

    [Fact]
    public async Task Tool_calls_in_the_final_turn_are_ignored_not_left_without_results()
    {
        var h = new RuntimeHarness { Chat = Model.Gateway };
        var tool = h.AddTool("web_search");
        h.Define(maxIterations: 1);
        Model.Enqueue(Search("a"), Search("b"));
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.MaxIterations, result.Status);
        Assert.Equal(1, tool.Executions);
        Assert.Empty(result.State.Turns[^1].CallIds);
        var last = (await h.EventsAsync(result.RunId)).Last(e => e.Type == "AssistantMessage").Data;
        Assert.Equal(1, last.GetProperty("ignored_tool_calls").GetInt32());
        Assert.Equal("Let me use tools.", result.Result);
        Assert.All(result.State.Calls.Values, c => Assert.True(c.HasResult));
    }

    [Fact]
    public async Task Usd_budget_is_reserved_before_each_call_so_the_run_never_exceeds_it()
    {
        // Each call may spend its prompt plus 10,000 output tokens (about one scripted call): after two calls, the half call
        // left in the budget cannot hold a third, so the gateway refuses it before it reaches the provider.
        var budget = CostOfScriptedCall * 2.5m;
        var h = new RuntimeHarness { Chat = Model.Gateway };
        h.AddTool("web_search");
        h.Definitions["researcher"] = h.Define(budget: new AgentBudget(MaxUsd: budget)) with { MaxOutputTokens = 10_000 };
        for (var i = 0; i < 5; i++)
        {
            Model.Enqueue(Search($"q{i}").WithUsage(50, 10_000));
        }

        await using var runtime = h.CreateRuntime();
        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.BudgetExceeded, result.Status);
        Assert.Equal(2, Model.ChatRequests().Count);
        Assert.Equal(3, Model.Server.Script.Pending);
        Assert.Equal(CostOfScriptedCall * 2, result.State.CostUsd);
        Assert.True(result.State.CostUsd <= budget, $"spent ${result.State.CostUsd} of ${budget}");
        Assert.False(result.State.CostIncomplete);
        Assert.Equal(["RunBudgetExceeded", "AgentReasoningCompleted"], (await h.TypesAsync(result.RunId))[^2..]);
        var exceeded = (await h.EventsAsync(result.RunId))[^2].Data;
        Assert.Equal("usd", exceeded.GetProperty("limit").GetString());
        Assert.Equal(CostOfScriptedCall * 2, exceeded.GetProperty("spent").GetDecimal());
        Assert.Equal(budget, exceeded.GetProperty("limit_value").GetDecimal());
    }

    [Fact]
    public async Task Token_budget_counts_every_call_of_the_run_and_is_never_exceeded()
    {
        // 120 tokens per call; each call may use its prompt (well over 100 tokens) plus 20. Checked only after each call, the
        // run would have ended at 1,080 tokens (nine calls).
        const long budget = 1_000;
        var h = new RuntimeHarness { Chat = Model.Gateway };
        h.AddTool("web_search");
        h.Definitions["researcher"] = h.Define(maxIterations: 20, budget: new AgentBudget(MaxTokens: budget)) with { MaxOutputTokens = 20 };
        Model.Enqueue(Search("a").WithUsage(100, 20).Repeating());
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.BudgetExceeded, result.Status);
        var calls = Model.ChatRequests().Count;
        Assert.InRange(calls, 1, 8);
        Assert.Equal(120 * calls, result.State.TotalTokens);
        Assert.True(result.State.TotalTokens <= budget, $"{result.State.TotalTokens} tokens of {budget}");
        Assert.Equal(calls, (await h.TypesAsync(result.RunId)).Count(t => t == "LlmCallCompleted"));
    }

    [Fact]
    public async Task Provider_down_after_retries_fails_the_run_with_the_cause_and_runs_no_tool()
    {
        Model.Server.Faults.Enqueue(Fault.Status(503), times: 50);
        var h = new RuntimeHarness { Chat = Model.Gateway };
        var tool = h.AddTool("web_search");
        h.Define();
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(0, tool.Executions);
        Assert.Equal(2, Model.ChatRequests().Count);
        Assert.Equal(["RunStarted", "RunFailed", "AgentReasoningCompleted"], await h.TypesAsync(result.RunId));
        var failed = (await h.EventsAsync(result.RunId)).Single(e => e.Type == "RunFailed").Data;
        Assert.Equal("Unavailable", failed.GetProperty("error_kind").GetString());
        Assert.Equal("a", failed.GetProperty("provider").GetString());
        Assert.DoesNotContain("sk-test", failed.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_failure_that_the_fallback_absorbs_does_not_end_the_run()
    {
        await using var model = await EmulatedModel.StartAsync(Kind, Ct, fallback: Kind == ProviderKind.OpenAI ? ProviderKind.Anthropic : ProviderKind.OpenAI);
        var primary = Kind == ProviderKind.OpenAI ? EmulatorRoute.OpenAIChatCompletions : EmulatorRoute.AnthropicMessages;
        model.Server.Faults.Enqueue(Fault.Status(503), times: 2, route: primary);
        var h = new RuntimeHarness { Chat = model.Gateway };
        var tool = h.AddTool("web_search");
        h.Define();
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request("Use web_search to look up the weather"), cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(1, tool.Executions);
        var calls = (await h.EventsAsync(result.RunId)).Where(e => e.Type == "LlmCallCompleted").Select(e => e.Data).ToList();
        Assert.Equal("b", calls[0].GetProperty("provider").GetString());
        Assert.Equal(["a"], calls[0].GetProperty("fallback_path").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("a", calls[1].GetProperty("provider").GetString());
    }
}

public sealed class OpenAITerminationTests : TerminationTests
{
    protected override ProviderKind Kind => ProviderKind.OpenAI;

    // gpt-4o-mini: $0.15 / M input, $0.60 / M output.
    protected override decimal CostOfScriptedCall => 0.0060075m;
}

public sealed class AnthropicTerminationTests : TerminationTests
{
    protected override ProviderKind Kind => ProviderKind.Anthropic;

    // claude-3-5-haiku-20241022: $0.80 / M input, $4.00 / M output.
    protected override decimal CostOfScriptedCall => 0.04004m;
}
