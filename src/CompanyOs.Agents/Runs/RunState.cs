using System.Collections.Immutable;
using CompanyOs.Agents.Journal;
using CompanyOs.Events;

namespace CompanyOs.Agents.Runs;

/// <summary>
/// A run's state: a pure left fold over the events of its stream (<see cref="Apply(RunEvent)"/>). Nothing else holds run state, so
/// any process can rebuild it from the store and continue.
/// </summary>
public sealed record RunState
{
    public static RunState Empty { get; } = new();

    /// <summary>Version of the last event folded in; -1 before the first.</summary>
    public long Version { get; init; } = -1;

    public RunStatus Status { get; init; }

    /// <summary>The run's first event: task, org, prompts and the snapshotted settings. Null before the run exists.</summary>
    public RunStarted? Start { get; init; }

    public string RunId => Start?.RunId ?? string.Empty;

    public string? OrgId => Start?.OrgId;

    /// <summary>Model round trips with tools (the final tools-disabled turn not counted).</summary>
    public int Iterations { get; init; }

    /// <summary>Completed model calls; an interrupted attempt (<see cref="LlmCallInterrupted"/>) adds to the totals below, not here.</summary>
    public int LlmCalls { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public long TotalTokens { get; init; }

    public decimal CostUsd { get; init; }

    /// <summary>True when at least one call could not be priced: <see cref="CostUsd"/> is then a lower bound.</summary>
    public bool CostIncomplete { get; init; }

    public ImmutableList<RunTurn> Turns { get; init; } = [];

    public ImmutableDictionary<string, ToolCallState> Calls { get; init; } = ImmutableDictionary<string, ToolCallState>.Empty;

    /// <summary>The latest non-empty assistant text.</summary>
    public string? LastText { get; init; }

    /// <summary>Final or partial answer once the run has ended.</summary>
    public string? Result { get; init; }

    public string? Error { get; init; }

    /// <summary>Set when the final tools-disabled turn has been recorded.</summary>
    public bool FinalTurnTaken { get; init; }

    /// <summary>Set once the seed-compatible <c>AgentReasoningCompleted</c> event is written.</summary>
    public bool TraceWritten { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the run reached its terminal status; null while it runs or waits.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Tool calls of the latest turn, in the model's order.</summary>
    public IEnumerable<ToolCallState> LastTurnCalls =>
        Turns.Count == 0 ? [] : Turns[^1].CallIds.Where(Calls.ContainsKey).Select(id => Calls[id]);

    /// <summary>Calls waiting for an approval decision or an answer.</summary>
    public IEnumerable<ToolCallState> WaitingCalls => LastTurnCalls.Where(c => c.IsWaitingForHuman);

    /// <summary>Folds stored events in order; unknown event types only advance the version.</summary>
    public static RunState From(IEnumerable<RecordedEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var state = Empty;
        foreach (var recorded in events)
        {
            state = state.Apply(recorded);
        }

        return state;
    }

    public RunState Apply(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var @event = RunEventCodec.Deserialize(recorded);
        return (@event is null ? this : Apply(@event)) with { Version = recorded.Version };
    }

    /// <summary>The fold step. Pure: returns a new state and never touches the old one.</summary>
    public RunState Apply(RunEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var next = @event switch
        {
            RunStarted e => this with { Start = e, Status = RunStatus.Running, StartedAt = e.At },
            LlmCallCompleted e => this with
            {
                Iterations = e.Final ? Iterations : Math.Max(Iterations, e.Iteration),
                LlmCalls = LlmCalls + 1,
                InputTokens = InputTokens + e.InputTokens,
                OutputTokens = OutputTokens + e.OutputTokens,
                TotalTokens = TotalTokens + e.TotalTokens,
                CostUsd = CostUsd + (e.CostUsd ?? 0m),
                CostIncomplete = CostIncomplete || (e.CostUsd is null && !e.CacheHit),
            },
            LlmCallInterrupted e => this with
            {
                InputTokens = InputTokens + e.InputTokens,
                OutputTokens = OutputTokens + e.OutputTokens,
                TotalTokens = TotalTokens + e.TotalTokens,
                CostUsd = CostUsd + (e.CostUsd ?? 0m),
                CostIncomplete = CostIncomplete || e.CostUsd is null,
            },
            AssistantMessage e => this with
            {
                Turns = Turns.Add(new RunTurn(e.Iteration, e.Text, [.. e.ToolCalls.Select(c => c.CallId)], e.Final, e.At, e.FinishReason)),
                LastText = string.IsNullOrWhiteSpace(e.Text) ? LastText : e.Text,
                FinalTurnTaken = FinalTurnTaken || e.Final,
            },
            ToolCallRequested e => WithCall(new ToolCallState
            {
                CallId = e.CallId,
                ToolName = e.ToolName,
                Arguments = e.Arguments,
                Risk = e.Risk,
                Idempotent = e.Idempotent,
                Iteration = Turns.Count == 0 ? 0 : Turns[^1].Iteration,
                RequestedAt = e.At,
            }),
            ApprovalRequested e => Update(e.CallId, c => c with
            {
                Phase = ToolCallPhase.AwaitingApproval,
                ApprovalId = e.ApprovalId,
                ApprovalReason = e.Reason,
                ArgumentsHash = e.ArgumentsHash,
                ExpiresAt = e.ExpiresAt,
            }),
            QuestionAsked e => Update(e.CallId, c => c with
            {
                Phase = ToolCallPhase.AwaitingAnswer,
                ApprovalId = e.QuestionId,
                Question = e.Question,
                ExpiresAt = e.ExpiresAt,
            }),
            ApprovalGranted e => Update(e.CallId, c => c with
            {
                Phase = ToolCallPhase.Approved,
                EffectiveArguments = e.EffectiveArguments,
                ArgumentsEdited = e.Edited,
            }),
            ApprovalRejected e => Update(e.CallId, c => c with
            {
                Phase = ToolCallPhase.Rejected,
                Result = ToolResultText.Rejected(e.Reason),
                IsError = true,
            }),
            ApprovalExpired e => Update(e.CallId, c => c with
            {
                Phase = ToolCallPhase.Expired,
                Result = ToolResultText.Expired(c.Phase == ToolCallPhase.AwaitingAnswer),
                IsError = true,
            }),
            QuestionAnswered e => Update(e.CallId, c => c with { Phase = ToolCallPhase.Answered, Result = e.Answer }),
            ToolCallStarted e => Update(e.CallId, c => c with
            {
                Phase = ToolCallPhase.Started,
                EffectiveArguments = e.Arguments,
                Attempts = c.Attempts + 1,
            }),
            ToolCallCompleted e => Update(e.CallId, c => c with
            {
                Phase = ToolCallPhase.Completed,
                Result = ToolResultText.Completed(c, e.Output, e.IsError),
                IsError = e.IsError,
            }),
            ToolCallFailed e => Update(e.CallId, c => c with
            {
                Phase = ToolCallPhase.Failed,
                Result = ToolResultText.Failed(e.Reason, e.Error),
                IsError = true,
            }),
            ToolCallInterrupted e => Update(e.CallId, c => c with
            {
                Phase = ToolCallPhase.Interrupted,
                Result = ToolResultText.Interrupted(),
                IsError = true,
            }),
            RunCompleted e => this with { Status = RunStatus.Completed, Result = e.Result },
            RunFailed e => this with { Status = RunStatus.Failed, Error = e.Error },
            RunCancelled e => this with { Status = RunStatus.Cancelled, Error = e.Reason, Result = LastText },
            RunMaxIterationsReached e => this with { Status = RunStatus.MaxIterations, Result = e.Result },
            RunIncomplete e => this with
            {
                Status = RunStatus.Incomplete,
                Result = e.Result,
                Error = e.FinishReason == "content_filter"
                    ? "the model's answer was cut off by the provider's content filter (finish reason content_filter)"
                    : $"the model's answer was cut off at its output token limit (finish reason {e.FinishReason}); raise the agent's max_output_tokens",
            },
            RunBudgetExceeded e => this with
            {
                Status = RunStatus.BudgetExceeded,
                Result = e.Result,
                Error = $"budget exceeded: {e.Limit} {e.Spent} of {e.LimitValue}",
            },
            AgentReasoningCompleted => this with { TraceWritten = true },
            _ => this,
        };
        next = next.WithDerivedStatus() with { UpdatedAt = @event.At };
        return next.Status.IsTerminal() && !Status.IsTerminal() ? next with { EndedAt = @event.At } : next;
    }

    private RunState WithCall(ToolCallState call) => this with { Calls = Calls.SetItem(call.CallId, call) };

    private RunState Update(string callId, Func<ToolCallState, ToolCallState> change) =>
        Calls.TryGetValue(callId, out var call) ? WithCall(change(call)) : this;

    private RunState WithDerivedStatus()
    {
        if (Status.IsTerminal() || Status == RunStatus.None)
        {
            return this;
        }

        var waiting = WaitingCalls.Any();
        return this with { Status = waiting ? RunStatus.AwaitingApproval : RunStatus.Running };
    }
}

/// <summary>One assistant message: its text, the ids of all its tool calls in the model's order, and why the model stopped.</summary>
public sealed record RunTurn(int Iteration, string? Text, IReadOnlyList<string> CallIds, bool Final, DateTimeOffset At, string? FinishReason = null)
{
    /// <summary>True when the model was cut off (output token limit or content filter) rather than done.</summary>
    public bool CutOff => FinishReason is { } reason && RunIncomplete.IsCutOff(reason);
}
