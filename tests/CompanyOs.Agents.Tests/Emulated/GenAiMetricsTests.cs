using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Stats;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace CompanyOs.Agents.Tests.Emulated;

/// <summary>
/// The gateway's and the runtime's metrics for one agent run on the real stack (emulator → SDK → gateway → runtime → tools):
/// GenAI token usage and operation duration, cost, retries, fallbacks, budget refusals and runs by status, with the GenAI
/// attribute names and values, and no run id or key among the attributes. Collected per gateway and runtime (the meters'
/// scope), so parallel tests do not mix in.
/// </summary>
public sealed class GenAiMetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_with_fallback_and_tool_call_records_token_usage_duration_cost_retry_fallback_and_run_statuses()
    {
        await using var model = await EmulatedModel.StartAsync(ProviderKind.OpenAI, Ct, fallback: ProviderKind.Anthropic);
        var stats = model.Gateway.GetService<GatewayStats>()!;
        using var tokens = new MetricCollector<long>(stats, GatewayStats.MeterName, "gen_ai.client.token.usage");
        using var duration = new MetricCollector<double>(stats, GatewayStats.MeterName, "gen_ai.client.operation.duration");
        using var cost = new MetricCollector<double>(stats, GatewayStats.MeterName, "companyos.llm.cost");
        using var retries = new MetricCollector<long>(stats, GatewayStats.MeterName, "companyos.llm.retries");
        using var fallbacks = new MetricCollector<long>(stats, GatewayStats.MeterName, "companyos.llm.fallbacks");
        using var refusals = new MetricCollector<long>(stats, GatewayStats.MeterName, "companyos.llm.budget.refusals");
        // Provider a answers 503 to its first attempt and its one retry: the first model turn falls back to provider b.
        model.Server.Faults.Enqueue(Fault.Status(503), times: 2);
        model.Enqueue(ScriptedTurn.ToolCalls(("web_search", """{"query":"alpha"}""")), ScriptedTurn.Text("Alpha is covered."));
        var h = new RuntimeHarness { Chat = model.Gateway };
        var search = h.AddTool("web_search");
        h.Define();
        await using var runtime = h.CreateRuntime();
        using var runs = new MetricCollector<long>(runtime, AgentTelemetry.MeterName, "companyos.agent.runs");

        var result = await runtime.RunAsync(RuntimeHarness.Request(org: "acme"), cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(1, search.Executions);
        var rows = stats.GetSnapshot().Rows;

        // Token usage: input and output of each of the two calls, by the GenAI attributes of the call.
        var usage = tokens.GetMeasurementSnapshot();
        Assert.Equal(4, usage.Count);
        Assert.All(usage, m =>
        {
            Assert.Equal("chat", m.Tags["gen_ai.operation.name"]);
            Assert.Equal("gpt-4o-mini", m.Tags["gen_ai.request.model"]);
            Assert.Equal("acme", m.Tags["companyos.org"]);
            Assert.Equal("researcher", m.Tags["companyos.agent"]);
            Assert.True(m.Value > 0);
        });
        Assert.Equal(rows.Sum(r => r.InputTokens), usage.Where(m => (string?)m.Tags["gen_ai.token.type"] == "input").Sum(m => m.Value));
        Assert.Equal(rows.Sum(r => r.OutputTokens), usage.Where(m => (string?)m.Tags["gen_ai.token.type"] == "output").Sum(m => m.Value));
        var fellBack = usage.Where(m => (string?)m.Tags["companyos.provider"] == "b").ToList();
        Assert.Equal(2, fellBack.Count);
        Assert.All(fellBack, m =>
        {
            Assert.Equal("anthropic", m.Tags["gen_ai.provider.name"]);
            Assert.Equal("claude-3-5-haiku-20241022", m.Tags["gen_ai.response.model"]);
        });
        Assert.All(usage.Except(fellBack), m => Assert.Equal("openai", m.Tags["gen_ai.provider.name"]));

        // Duration: one per call, successful (no error.type), in seconds.
        var durations = duration.GetMeasurementSnapshot();
        Assert.Equal(2, durations.Count);
        Assert.All(durations, m =>
        {
            Assert.False(m.Tags.ContainsKey("error.type"));
            Assert.InRange(m.Value, double.Epsilon, 60);
        });

        // Cost: what the stats (and the run) were charged; one retry on a, one fallback to b; no budget refused anything.
        Assert.Equal((double)rows.Sum(r => r.CostUsd), cost.GetMeasurementSnapshot().Sum(m => m.Value), 1e-12);
        Assert.Equal((double)result.State.CostUsd, cost.GetMeasurementSnapshot().Sum(m => m.Value), 1e-12);
        Assert.Equal(1, Assert.Single(retries.GetMeasurementSnapshot()).Value);
        var fallback = Assert.Single(fallbacks.GetMeasurementSnapshot());
        Assert.Equal(("b", "gpt-4o-mini"), ((string?)fallback.Tags["companyos.provider"], (string?)fallback.Tags["gen_ai.request.model"]));
        Assert.Empty(refusals.GetMeasurementSnapshot());

        // Runs by status: started (running), then completed.
        var statuses = runs.GetMeasurementSnapshot();
        Assert.Equal(["running", "completed"], statuses.Select(m => (string?)m.Tags["companyos.run.status"]));
        Assert.All(statuses, m => Assert.Equal(("researcher", "acme", 1L), ((string?)m.Tags["gen_ai.agent.name"], (string?)m.Tags["companyos.org"], m.Value)));

        // No run id, key or content among any attribute.
        var values = usage.Concat(retries.GetMeasurementSnapshot()).Concat(fallbacks.GetMeasurementSnapshot()).Concat(statuses)
            .SelectMany(m => m.Tags.Values).Concat(durations.SelectMany(m => m.Tags.Values)).Select(v => v?.ToString() ?? "").ToList();
        Assert.DoesNotContain(values, v => v.Contains(result.RunId, StringComparison.Ordinal) || v.Contains("sk-test", StringComparison.Ordinal)
            || v.Contains("alpha", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_run_budget_refusal_is_counted_by_scope_and_the_run_by_its_budget_exceeded_status()
    {
        await using var model = await EmulatedModel.StartAsync(ProviderKind.OpenAI, Ct);
        var stats = model.Gateway.GetService<GatewayStats>()!;
        using var refusals = new MetricCollector<long>(stats, GatewayStats.MeterName, "companyos.llm.budget.refusals");
        using var errors = new MetricCollector<long>(stats, GatewayStats.MeterName, "companyos.llm.errors");
        using var duration = new MetricCollector<double>(stats, GatewayStats.MeterName, "gen_ai.client.operation.duration");
        using var tokens = new MetricCollector<long>(stats, GatewayStats.MeterName, "gen_ai.client.token.usage");
        var h = new RuntimeHarness { Chat = model.Gateway };
        // A budget far below what one call may cost (its prompt plus 10,000 output tokens): the first call is refused.
        h.Definitions["researcher"] = h.Define(budget: new AgentBudget(MaxUsd: 0.000001m)) with { MaxOutputTokens = 10_000 };
        await using var runtime = h.CreateRuntime();
        using var runs = new MetricCollector<long>(runtime, AgentTelemetry.MeterName, "companyos.agent.runs");

        var result = await runtime.RunAsync(RuntimeHarness.Request(org: "acme"), cancellationToken: Ct);

        Assert.Equal(RunStatus.BudgetExceeded, result.Status);
        Assert.Empty(model.ChatRequests());
        var refusal = Assert.Single(refusals.GetMeasurementSnapshot());
        Assert.Equal(("run", "acme", "gpt-4o-mini"), ((string?)refusal.Tags["companyos.budget.scope"], (string?)refusal.Tags["companyos.org"], (string?)refusal.Tags["gen_ai.request.model"]));
        Assert.Equal("budget_exceeded", Assert.Single(errors.GetMeasurementSnapshot()).Tags["error.type"]);
        Assert.Equal("budget_exceeded", Assert.Single(duration.GetMeasurementSnapshot()).Tags["error.type"]);
        Assert.Empty(tokens.GetMeasurementSnapshot());
        Assert.Equal(["running", "budget_exceeded"], runs.GetMeasurementSnapshot().Select(m => (string?)m.Tags["companyos.run.status"]));
    }
}
