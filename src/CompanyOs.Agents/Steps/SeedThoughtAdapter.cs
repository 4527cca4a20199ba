using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;

namespace CompanyOs.Agents.Steps;

/// <summary>
/// The seed's <c>on_thought</c> callback on top of the step stream: it receives one <see cref="SeedTraceStep"/> (the shape
/// of <c>AgentReasoningCompleted.trace[]</c>) per thought, per finished tool call or question, and for the final response.
/// </summary>
public static class SeedThoughtAdapter
{
    /// <summary>
    /// An <see cref="AgentStepCallback"/> that calls <paramref name="onThought"/>. It folds the steps it sees, so pass it
    /// to a drive from the start of the run (<c>RunAsync</c>) or accept that a resumed drive reports only what follows.
    /// </summary>
    public static AgentStepCallback Create(Func<SeedTraceStep, CancellationToken, ValueTask> onThought)
    {
        ArgumentNullException.ThrowIfNull(onThought);
        var state = RunState.Empty;
        var gate = new Lock();
        return (step, cancellationToken) =>
        {
            if (step.IsTransient)
            {
                return ValueTask.CompletedTask;
            }

            SeedTraceStep? thought;
            lock (gate)
            {
                state = state.Apply(step.Event);
                thought = ToThought(state, step.Event);
            }

            return thought is null ? ValueTask.CompletedTask : onThought(thought, cancellationToken);
        };
    }

    private static SeedTraceStep? ToThought(RunState state, RunEvent @event) => @event switch
    {
        AssistantMessage { Text: { } text } m when !string.IsNullOrWhiteSpace(text) => SeedTraceBuilder.ForText(text, m.At, respond: m.ToolCalls.Count == 0),
        QuestionAsked q => ToolStep(state, q.CallId, q.At),
        ToolCallCompleted c => ToolStep(state, c.CallId, c.At),
        ToolCallFailed f => ToolStep(state, f.CallId, f.At),
        ToolCallInterrupted i => ToolStep(state, i.CallId, i.At),
        ApprovalRejected r => ToolStep(state, r.CallId, r.At),
        ApprovalExpired x => ToolStep(state, x.CallId, x.At),
        QuestionAnswered a => ToolStep(state, a.CallId, a.At),
        _ => null,
    };

    private static SeedTraceStep? ToolStep(RunState state, string callId, DateTimeOffset at) =>
        state.Calls.TryGetValue(callId, out var call) ? SeedTraceBuilder.ForCall(call, at) : null;
}
