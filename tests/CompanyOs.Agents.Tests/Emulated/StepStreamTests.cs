using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Steps;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Configuration;

namespace CompanyOs.Agents.Tests.Emulated;

/// <summary>
/// The live step stream: stored steps in stream order, the model's text streamed through the gateway as transient deltas,
/// a broken stream asked again whole, and the seed's on_thought adapter — against the emulator, per wire format.
/// </summary>
public abstract class StepStreamTests : EmulatedModelTests
{
    private const string Answer = "Alpha is the first letter of the Greek alphabet and beta is the second one.";

    /// <summary>Stream chunks (SSE events) after which the cut falls in the middle of the answer text.</summary>
    protected abstract int ChunksIntoTheText { get; }

    private RuntimeHarness Setup()
    {
        var h = new RuntimeHarness { Chat = Model.Gateway };
        h.AddTool("web_search");
        h.Define();
        // Keyed by conversation position, so a turn asked again (after a broken stream) gets the same answer.
        Model.Enqueue(
            ScriptedTurn.ToolCalls(("web_search", """{"query":"alpha"}""")).WithText("Searching first.").AtPosition(0),
            ScriptedTurn.Text(Answer).AtPosition(1));
        return h;
    }

    [Fact]
    public async Task Stored_steps_arrive_in_stream_order_and_streamed_text_adds_up_to_each_stored_message()
    {
        var h = Setup();
        await using var runtime = h.CreateRuntime();

        var steps = await runtime.RunStreamingAsync(RuntimeHarness.Request(), Ct).ToListAsync(Ct);

        var stored = steps.Where(s => !s.IsTransient).ToList();
        var events = await h.EventsAsync(steps[0].RunId);
        Assert.Equal(events.Select(e => (e.Version, e.Type)), stored.Select(s => (s.Version, s.Event.GetType().Name)));
        Assert.All(steps, s => Assert.False(string.IsNullOrEmpty(s.Summary)));

        var messages = stored.Select(s => s.Event).OfType<AssistantMessage>().ToList();
        Assert.Equal(["Searching first.", Answer], messages.Select(m => m.Text));
        foreach (var message in messages)
        {
            var deltas = steps.Select(s => s.Event).OfType<ModelOutputDelta>().Where(d => d.Iteration == message.Iteration).ToList();
            Assert.True(deltas.Count >= 2 || message.Text!.Length < 20, $"turn {message.Iteration} arrived in {deltas.Count} piece(s)");
            Assert.Equal(message.Text, string.Concat(deltas.Select(d => d.Text)));

            // Every delta of a turn comes before the turn is stored.
            var storedAt = steps.FindIndex(s => ReferenceEquals(s.Event, message));
            Assert.All(deltas, d => Assert.True(steps.FindIndex(s => ReferenceEquals(s.Event, d)) < storedAt));
        }

        Assert.All(Model.ChatRequests(), r => Assert.True(r.GetProperty("stream").GetBoolean()));
        var calls = events.Where(e => e.Type == "LlmCallCompleted").Select(e => e.Data).ToList();
        Assert.All(calls, c => Assert.True(c.GetProperty("output_tokens").GetInt64() > 0 && c.GetProperty("cost_usd").GetDecimal() > 0m));
        var result = await runtime.GetRunAsync(steps[0].RunId, Ct);
        Assert.Equal(calls.Sum(c => c.GetProperty("total_tokens").GetInt64()), result!.TotalTokens);
        Assert.Equal(RunStatus.Completed, result.Status);
    }

    [Fact]
    public async Task Streamed_turns_record_the_same_usage_and_cost_as_whole_answers_counted_once()
    {
        var h = Setup();
        await using var runtime = h.CreateRuntime();
        var streamed = await runtime.RunAsync(RuntimeHarness.Request(), (_, _) => ValueTask.CompletedTask, Ct);
        var whole = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        // The emulator answers the same conversation with the same usage, streamed or not.
        static async Task<List<(long, long, decimal)>> UsageAsync(RuntimeHarness h, string runId) =>
            [.. (await h.EventsAsync(runId)).Where(e => e.Type == "LlmCallCompleted").Select(e => e.Data)
                .Select(d => (d.GetProperty("input_tokens").GetInt64(), d.GetProperty("output_tokens").GetInt64(), d.GetProperty("cost_usd").GetDecimal()))];
        var requests = Model.ChatRequests();
        Assert.True(requests[0].GetProperty("stream").GetBoolean());
        Assert.False(requests[^1].TryGetProperty("stream", out var s) && s.GetBoolean());
        Assert.Equal(await UsageAsync(h, whole.RunId), await UsageAsync(h, streamed.RunId));
        Assert.Equal(whole.State.TotalTokens, streamed.State.TotalTokens);
        Assert.Equal(whole.State.CostUsd, streamed.State.CostUsd);
        Assert.True(streamed.State.CostUsd > 0m);
    }

    [Fact]
    public async Task Without_an_observer_or_with_streaming_off_the_model_is_asked_for_a_whole_answer()
    {
        var h = Setup();
        await using (var runtime = h.CreateRuntime())
        {
            Assert.Equal(RunStatus.Completed, (await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct)).Status);
        }

        await using (var quiet = h.CreateRuntime(new AgentRuntimeOptions { StreamModelOutput = false }))
        {
            var steps = await quiet.RunStreamingAsync(RuntimeHarness.Request(), Ct).ToListAsync(Ct);
            Assert.DoesNotContain(steps, s => s.IsTransient);
            Assert.Contains(steps, s => s.Event is RunCompleted);
        }

        Assert.All(Model.ChatRequests(), r => Assert.False(r.TryGetProperty("stream", out var s) && s.GetBoolean()));
    }

    [Fact]
    public async Task A_stream_cut_mid_answer_is_asked_again_whole_and_the_run_completes()
    {
        var h = Setup();
        await using var runtime = h.CreateRuntime();
        var steps = new List<AgentStep>();

        var first = await runtime.RunAsync(
            RuntimeHarness.Request(),
            (step, _) =>
            {
                lock (steps)
                {
                    steps.Add(step);
                    if (step.Event is ToolCallCompleted)
                    {
                        // The answer turn's stream breaks after some text.
                        Model.Server.Faults.Enqueue(Fault.CutAfter(ChunksIntoTheText));
                    }
                }

                return ValueTask.CompletedTask;
            },
            Ct);

        Assert.Equal(RunStatus.Completed, first.Status);
        Assert.Equal(Answer, first.Result);
        var afterTool = steps.SkipWhile(s => s.Event is not ToolCallCompleted).Select(s => s.Event).OfType<ModelOutputDelta>().ToList();
        Assert.Contains(afterTool, d => d.Restart);
        Assert.Equal(3, Model.ChatRequests().Count);
        var events = await h.EventsAsync(first.RunId);
        Assert.Equal(2, events.Count(e => e.Type == "LlmCallCompleted"));

        // The cut attempt was billed: it is recorded on its own, before the call asked again, and counted in the run's totals.
        Assert.Equal(["LlmCallCompleted", "LlmCallInterrupted", "LlmCallCompleted"], events.Select(e => e.Type).Where(t => t.StartsWith("LlmCall", StringComparison.Ordinal)));
        var cut = events.Single(e => e.Type == "LlmCallInterrupted").Data;
        Assert.Equal(2, cut.GetProperty("iteration").GetInt32());
        Assert.Equal("a", cut.GetProperty("provider").GetString());
        Assert.True(cut.GetProperty("estimated").GetBoolean());
        Assert.True(cut.GetProperty("total_tokens").GetInt64() > 0 && cut.GetProperty("cost_usd").GetDecimal() > 0m);
        var counted = events.Where(e => e.Type is "LlmCallCompleted" or "LlmCallInterrupted").Select(e => e.Data).ToList();
        Assert.Equal(counted.Sum(c => c.GetProperty("total_tokens").GetInt64()), first.State.TotalTokens);
        Assert.Equal(counted.Sum(c => c.GetProperty("cost_usd").GetDecimal()), first.State.CostUsd);
        Assert.False(first.State.CostIncomplete);
    }

    [Fact]
    public async Task A_cut_attempt_counts_against_the_run_budget_so_an_ask_again_that_no_longer_fits_is_refused_unsent()
    {
        // Each call may spend its prompt (a few hundred tokens) plus 2,000 output tokens: one fits 3,500 tokens, two do not.
        var h = new RuntimeHarness { Chat = Model.Gateway };
        h.Definitions["researcher"] = h.Define(budget: new AgentBudget(MaxTokens: 3_500)) with { MaxOutputTokens = 2_000 };
        Model.Enqueue(ScriptedTurn.Text(Answer).AtPosition(0));
        Model.Server.Faults.Enqueue(Fault.CutAfter(ChunksIntoTheText));
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), (_, _) => ValueTask.CompletedTask, Ct);

        Assert.Equal(RunStatus.BudgetExceeded, result.Status);
        Assert.Single(Model.ChatRequests());
        var events = await h.EventsAsync(result.RunId);
        Assert.Equal(["RunStarted", "LlmCallInterrupted", "RunBudgetExceeded", "AgentReasoningCompleted"], events.Select(e => e.Type));
        var cut = events[1].Data.GetProperty("total_tokens").GetInt64();
        Assert.True(cut > 2_000, $"the cut attempt is charged its maximum, got {cut}");
        Assert.Equal(cut, result.State.TotalTokens);
        Assert.True(result.State.TotalTokens <= 3_500);
        Assert.Equal("tokens", events[2].Data.GetProperty("limit").GetString());
    }

    [Fact]
    public async Task On_thought_adapter_reports_thoughts_tool_calls_and_the_response_in_the_seed_shape()
    {
        var h = Setup();
        await using var runtime = h.CreateRuntime();
        var thoughts = new List<SeedTraceStep>();

        var result = await runtime.RunAsync(
            RuntimeHarness.Request(),
            SeedThoughtAdapter.Create((t, _) =>
            {
                thoughts.Add(t);
                return ValueTask.CompletedTask;
            }),
            Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(["think", "tool_call", "respond"], thoughts.Select(t => t.Action));
        Assert.Equal("Searching first.", thoughts[0].Thought);
        Assert.Equal("web_search", thoughts[1].ToolName);
        Assert.Equal("alpha", thoughts[1].ToolInput!.Value.GetProperty("query").GetString());
        Assert.Equal("web_search result for alpha", thoughts[1].ToolOutput);
        Assert.Equal(Answer, thoughts[2].Thought);
    }
}

public sealed class OpenAIStepStreamTests : StepStreamTests
{
    protected override ProviderKind Kind => ProviderKind.OpenAI;

    // The role chunk, then text deltas.
    protected override int ChunksIntoTheText => 3;
}

public sealed class AnthropicStepStreamTests : StepStreamTests
{
    protected override ProviderKind Kind => ProviderKind.Anthropic;

    // message_start, content_block_start, ping, then text_delta events.
    protected override int ChunksIntoTheText => 6;
}
