using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway.Budgets;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Agents.Runtime;

/// <summary>
/// The reasoning loop. Each pass looks only at the folded state, does the one next thing (settle open tool calls, end the
/// run, or take a model turn) and records it; so it continues correctly from any point, including after a crash.
/// </summary>
internal sealed class ReasoningLoop(ModelTurnRunner modelTurns, ToolBatchExecutor tools, Tools.IToolRegistry registry, TimeProvider time, ILogger logger)
{
    public async Task RunAsync(RunJournal journal, CancellationToken cancellationToken)
    {
        var actor = $"agent:{journal.State.Start?.AgentType}";

        // Calls this drive recorded as started in the same append as the turn that requested them; only these Started
        // calls may be run here. A Started call found in the store otherwise was interrupted and is never re-run blindly.
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var state = journal.State;
            if (state.Status.IsTerminal())
            {
                if (!state.TraceWritten)
                {
                    await journal.AppendAsync(SeedTraceBuilder.Build(state), actor, cancellationToken).ConfigureAwait(false);
                }

                RuntimeLog.RunEnded(logger, state.RunId, state.Status.ToWireName());
                return;
            }

            var now = time.GetUtcNow();
            var expired = state.WaitingCalls.Where(c => c.ExpiresAt <= now)
                .Select(c => (RunEvent)new ApprovalExpired { ApprovalId = c.ApprovalId!, CallId = c.CallId }).ToList();
            if (expired.Count > 0)
            {
                await journal.AppendAsync(expired, "system", cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (state.Status == RunStatus.AwaitingApproval)
            {
                RuntimeLog.RunWaiting(logger, state.RunId, state.WaitingCalls.Count());
                return;
            }

            if (state.LastTurnCalls.Any(c => !c.HasResult))
            {
                await tools.RunAsync(journal, actor, claimed, cancellationToken).ConfigureAwait(false);
                claimed.Clear();
                continue;
            }

            if (NextTerminal(state) is { } terminal)
            {
                await journal.AppendAsync(WithTrace(state, [terminal], time.GetUtcNow()), actor, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await TakeTurnAsync(journal, actor, claimed, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task TakeTurnAsync(RunJournal journal, string actor, HashSet<string> claimed, CancellationToken cancellationToken)
    {
        var state = journal.State;
        var settings = state.Start!.Settings;
        var final = state.Iterations >= settings.MaxIterations;
        ModelTurn turn;
        try
        {
            turn = await modelTurns.RunAsync(state, final, journal, cancellationToken).ConfigureAwait(false);
        }
        catch (BudgetExceededException ex) when (ModelTurnRunner.RunBudgetRefusal(journal.State, ex) is { } exceeded)
        {
            // The gateway refused before calling the provider: the next call may spend more than the run's budget has left.
            await journal.AppendAsync(WithTrace(journal.State, [exceeded], time.GetUtcNow()), actor, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (LlmException ex)
        {
            // The gateway has already retried and fallen back; an expected failure of the LLM layer (provider down, budget,
            // rate limit, routing) ends the run, recorded with its kind. Anything else is a defect: it propagates unrecorded
            // (the run stays resumable) instead of being passed off as a model failure.
            var kind = FailureKind(ex);
            RuntimeLog.LlmCallFailed(logger, state.RunId, kind, ex);
            var failed = new RunFailed { Error = ex.Message, ErrorKind = kind, Provider = (ex as ProviderException)?.Provider };
            await journal.AppendAsync(WithTrace(journal.State, [failed], time.GetUtcNow()), actor, cancellationToken).ConfigureAwait(false);
            return;
        }

        var now = time.GetUtcNow();
        var message = turn.Message with { FinishReason = turn.Call.FinishReason };
        var events = new List<RunEvent> { turn.Call, message };
        for (var i = 0; i < turn.Message.ToolCalls.Count; i++)
        {
            events.AddRange(CallPlanner.Plan(turn.Message.ToolCalls[i], turn.ParseErrors[i], turn.Message.ToolCalls.Count, settings, registry, now));
        }

        // A turn that ends the run is stored together with its end, so a crash never leaves it half-finished.
        if (final)
        {
            events.Add(new RunMaxIterationsReached { Result = turn.Message.Text ?? state.LastText ?? string.Empty, Iterations = state.Iterations });
        }
        else if (turn.Message.ToolCalls.Count == 0)
        {
            events.Add(AnswerEnd(message.Text, message.FinishReason));
        }
        else
        {
            events.AddRange(ClaimReadyCalls(state, events, settings, claimed));
        }

        // journal.State: an interrupted attempt of this turn may have been recorded since the turn began.
        await journal.AppendAsync(WithTrace(journal.State, events, now), actor, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="ToolCallStarted"/> for the calls of a new turn when all can run at once (none waits for a human) and they fit
    /// in one parallel wave, so the turn and the claim to run its calls are one durable write instead of one more per call.
    /// A crash right after that write leaves them Started, so a resume reports them as interrupted and never runs them twice.
    /// </summary>
    private List<RunEvent> ClaimReadyCalls(RunState state, List<RunEvent> turnEvents, RunSettings settings, HashSet<string> claimed)
    {
        var after = turnEvents.Aggregate(state, (s, e) => s.Apply(e));
        if (after.LastTurnCalls.Any(c => c.IsWaitingForHuman))
        {
            // The batch runs once every call is decided, by whichever drive records the last decision.
            return [];
        }

        var ready = after.LastTurnCalls.Where(c => c.Phase == ToolCallPhase.Requested && registry.TryGet(c.ToolName, out _)).ToList();
        if (ready.Count == 0 || ready.Count > Math.Max(1, settings.MaxParallelTools))
        {
            return [];
        }

        var starts = new List<RunEvent>(ready.Count);
        foreach (var call in ready)
        {
            claimed.Add(call.CallId);
            starts.Add(new ToolCallStarted { CallId = call.CallId, ToolName = call.ToolName, Arguments = call.Arguments, Attempt = 1 });
        }

        return starts;
    }

    /// <summary>
    /// The end of a turn without tool calls: its answer completes the run — unless the model was cut off (output token
    /// limit or content filter), which is never a completed run (see docs/agents.md, "Cut-off answers").
    /// </summary>
    private static RunEvent AnswerEnd(string? text, string? finishReason) => finishReason is { } reason && RunIncomplete.IsCutOff(reason)
        ? new RunIncomplete { FinishReason = reason, Result = text ?? string.Empty }
        : new RunCompleted { Result = text ?? string.Empty, CompletedBy = "final_answer" };

    /// <summary><see cref="RunFailed.ErrorKind"/> of an LLM-layer failure: the provider error kind (e.g. <c>Unavailable</c>), else the failure's family (e.g. <c>BudgetExceeded</c>).</summary>
    private static string FailureKind(LlmException ex) => ex is ProviderException pe
        ? pe.Kind.ToString()
        : ex.GetType().Name is var name && name.EndsWith("Exception", StringComparison.Ordinal) && name.Length > "Exception".Length
            ? name[..^"Exception".Length]
            : ex.GetType().Name;

    /// <summary>The end a state has reached without a further model call, if any.</summary>
    private static RunEvent? NextTerminal(RunState state)
    {
        if (CallPlanner.TryGetCompletion(state, out var result))
        {
            return new RunCompleted { Result = result, CompletedBy = "complete_task" };
        }

        if (state.Turns.Count > 0 && state.Turns[^1] is { } last)
        {
            if (last.Final)
            {
                return new RunMaxIterationsReached { Result = last.Text ?? state.LastText ?? string.Empty, Iterations = state.Iterations };
            }

            if (last.CallIds.Count == 0)
            {
                return AnswerEnd(last.Text, last.FinishReason);
            }
        }

        var settings = state.Start!.Settings;
        if (settings.BudgetUsd is { } usd && state.CostUsd >= usd)
        {
            return new RunBudgetExceeded { Limit = "usd", LimitValue = usd, Spent = state.CostUsd, Result = state.LastText };
        }

        if (settings.BudgetTokens is { } tokens && state.TotalTokens >= tokens)
        {
            return new RunBudgetExceeded { Limit = "tokens", LimitValue = tokens, Spent = state.TotalTokens, Result = state.LastText };
        }

        return null;
    }

    /// <summary>Appends the seed-compatible trace event when <paramref name="events"/> end the run.</summary>
    internal static List<RunEvent> WithTrace(RunState state, List<RunEvent> events, DateTimeOffset now)
    {
        for (var i = 0; i < events.Count; i++)
        {
            events[i] = events[i].At == default ? events[i] with { At = now } : events[i];
        }

        var after = events.Aggregate(state, (s, e) => s.Apply(e));
        if (after.Status.IsTerminal())
        {
            events.Add(SeedTraceBuilder.Build(after));
        }

        return events;
    }
}
