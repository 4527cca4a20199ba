using System.Text.Json;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Events;

namespace CompanyOs.Agents.Tests.Runs;

public sealed class RunStateTests
{
    private static readonly JsonElement Args = JsonDocument.Parse("""{"q":1}""").RootElement.Clone();

    private static RunStarted Started() => new()
    {
        RunId = "r1",
        OrgId = "o1",
        AgentType = "researcher",
        Task = "t",
        SystemPrompt = "s",
        UserMessage = "Task: t",
        Settings = new RunSettings { Autonomy = "supervised", MaxIterations = 3, MaxParallelTools = 2, BudgetUsd = 1m },
    };

    private static IEnumerable<RunEvent> TurnWithTwoCalls() =>
    [
        Started(),
        new LlmCallCompleted { Iteration = 1, InputTokens = 10, OutputTokens = 5, TotalTokens = 15, CostUsd = 0.25m },
        new AssistantMessage { Iteration = 1, Text = "thinking", ToolCalls = [new("a", "read_file", Args), new("b", "execute_code", Args)] },
        new ToolCallRequested { CallId = "a", ToolName = "read_file", Arguments = Args, Risk = "low" },
        new ToolCallRequested { CallId = "b", ToolName = "execute_code", Arguments = Args, Risk = "high" },
        new ApprovalRequested { ApprovalId = "ap1", CallId = "b", ToolName = "execute_code", ProposedArguments = Args, ArgumentsHash = "h", Reason = "high risk" },
    ];

    private static RunState Fold(IEnumerable<RunEvent> events) => events.Aggregate(RunState.Empty, (s, e) => s.Apply(e));

    [Fact]
    public void Apply_is_pure()
    {
        var before = Fold([Started()]);
        var after = before.Apply(new LlmCallCompleted { Iteration = 1, TotalTokens = 7, CostUsd = 0.5m });

        Assert.Equal(0, before.TotalTokens);
        Assert.Equal(7, after.TotalTokens);
        Assert.Equal(0.5m, after.CostUsd);
    }

    [Fact]
    public void A_pending_approval_makes_the_run_await_and_the_decision_releases_it()
    {
        var waiting = Fold(TurnWithTwoCalls());
        Assert.Equal(RunStatus.AwaitingApproval, waiting.Status);
        Assert.Equal(["b"], waiting.WaitingCalls.Select(c => c.CallId));
        Assert.Equal(1, waiting.Iterations);

        var rejected = waiting.Apply(new ApprovalRejected { ApprovalId = "ap1", CallId = "b", Reason = "no" });
        Assert.Equal(RunStatus.Running, rejected.Status);
        Assert.Equal(ToolCallPhase.Rejected, rejected.Calls["b"].Phase);
        Assert.Contains("no", rejected.Calls["b"].Result, StringComparison.Ordinal);
    }

    [Fact]
    public void Tool_outcomes_become_results_for_the_model()
    {
        var state = Fold(TurnWithTwoCalls().Concat(
        [
            new ApprovalGranted { ApprovalId = "ap1", CallId = "b", ProposedArguments = Args, EffectiveArguments = Args },
            new ToolCallStarted { CallId = "a", ToolName = "read_file", Arguments = Args },
            new ToolCallStarted { CallId = "b", ToolName = "execute_code", Arguments = Args },
            new ToolCallCompleted { CallId = "a", ToolName = "read_file", Output = "content" },
            new ToolCallFailed { CallId = "b", ToolName = "execute_code", Reason = "timeout", Error = "too slow" },
        ]));

        Assert.Equal("content", state.Calls["a"].Result);
        Assert.Equal("Error (timeout): too slow", state.Calls["b"].Result);
        Assert.All(state.LastTurnCalls, c => Assert.True(c.HasResult));
        Assert.Equal(1, state.Calls["a"].Attempts);
    }

    [Fact]
    public void Terminal_events_set_status_and_result()
    {
        Assert.Equal(RunStatus.Completed, Fold([Started(), new RunCompleted { Result = "r", CompletedBy = "final_answer" }]).Status);
        Assert.Equal(RunStatus.Failed, Fold([Started(), new RunFailed { Error = "e", ErrorKind = "Unavailable" }]).Status);
        Assert.Equal(RunStatus.Cancelled, Fold([Started(), new RunCancelled()]).Status);
        Assert.Equal(RunStatus.MaxIterations, Fold([Started(), new RunMaxIterationsReached { Result = "p" }]).Status);
        Assert.Equal(RunStatus.BudgetExceeded, Fold([Started(), new RunBudgetExceeded { Limit = "usd" }]).Status);
        Assert.True(RunStatus.BudgetExceeded.IsTerminal());
        Assert.Equal("awaiting_approval", RunStatus.AwaitingApproval.ToWireName());
    }

    [Fact]
    public void An_interrupted_call_counts_in_tokens_and_cost_but_not_as_a_completed_call_and_round_trips()
    {
        var cut = new LlmCallInterrupted { Iteration = 1, Provider = "a", Model = "m", InputTokens = 100, OutputTokens = 50, TotalTokens = 150, CostUsd = 0.1m, Estimated = true };
        var data = RunEventCodec.ToEventData(cut, EventMetadata.Empty);
        var stored = RunEventCodec.Deserialize(new RecordedEvent("agent-session:r1", 1, 2, data.EventId, data.Type, data.Data, data.Metadata, DateTimeOffset.UnixEpoch));

        var state = Fold([Started(), stored!, new LlmCallCompleted { Iteration = 1, InputTokens = 10, OutputTokens = 5, TotalTokens = 15, CostUsd = 0.25m }]);

        Assert.Equal("LlmCallInterrupted", data.Type);
        Assert.Equal(cut, stored);
        Assert.Equal((1, 110L, 55L, 165L, 0.35m, false), (state.LlmCalls, state.InputTokens, state.OutputTokens, state.TotalTokens, state.CostUsd, state.CostIncomplete));
        Assert.True(state.Apply(cut with { CostUsd = null }).CostIncomplete, "an unknown charge makes the cost a lower bound");
        Assert.Equal(Steps.AgentStepKind.LlmCall, Steps.AgentStep.KindOf(cut));
    }

    [Fact]
    public void Every_event_round_trips_through_the_codec_and_unknown_types_are_skipped()
    {
        var events = TurnWithTwoCalls().ToList();
        var recorded = events.Select((e, i) =>
        {
            var data = RunEventCodec.ToEventData(e, EventMetadata.Empty);
            return new RecordedEvent("agent-session:r1", i, i + 1, data.EventId, data.Type, data.Data, data.Metadata, DateTimeOffset.UnixEpoch);
        }).Append(new RecordedEvent("agent-session:r1", events.Count, 99, Guid.NewGuid(), "SomethingNew", JsonDocument.Parse("{}").RootElement, EventMetadata.Empty, DateTimeOffset.UnixEpoch));

        var state = RunState.From(recorded);

        var expected = Fold(events);
        Assert.Equal(events.Count, state.Version);
        Assert.Equal((expected.Status, expected.Iterations, expected.TotalTokens, expected.CostUsd, expected.LastText), (state.Status, state.Iterations, state.TotalTokens, state.CostUsd, state.LastText));
        Assert.Equal(expected.Turns.Single().CallIds, state.Turns.Single().CallIds);
        Assert.Equal(expected.Calls.Values.Select(c => (c.CallId, c.Phase, c.ArgumentsHash)).Order(), state.Calls.Values.Select(c => (c.CallId, c.Phase, c.ArgumentsHash)).Order());
        Assert.Equal(1m, state.Start!.Settings.BudgetUsd);
        Assert.Contains("\"tool_calls\"", RunEventCodec.Serialize(events[2]).GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_payload_of_a_known_type_is_a_clear_store_error()
    {
        var bad = new RecordedEvent("agent-session:r1", 0, 1, Guid.NewGuid(), "RunStarted", JsonDocument.Parse("""{"run_id":5}""").RootElement, EventMetadata.Empty, DateTimeOffset.UnixEpoch);

        var error = Assert.Throws<EventStoreException>(() => RunState.Empty.Apply(bad));

        Assert.Contains("agent-session:r1 version 0".Replace(" version", "' version", StringComparison.Ordinal), "'" + error.Message, StringComparison.Ordinal);
    }
}
