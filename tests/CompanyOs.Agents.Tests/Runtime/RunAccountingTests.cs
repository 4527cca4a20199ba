using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Llm.Errors;
using Microsoft.Extensions.AI;

namespace CompanyOs.Agents.Tests.Runtime;

/// <summary>Run-level checks that need a model answer no real provider gives (no call info at all), plus request validation.</summary>
public sealed class RunAccountingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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
