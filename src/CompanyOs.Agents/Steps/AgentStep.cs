using CompanyOs.Agents.Journal;

namespace CompanyOs.Agents.Steps;

/// <summary>
/// One step of a run for live UIs: a stored event, emitted right after it is stored (<see cref="Version"/> is its stream
/// version), or a transient <see cref="AgentStepKind.TextDelta"/> while the model's text streams in (<see cref="Version"/>
/// is then the version of the last stored event).
/// </summary>
public sealed record AgentStep(string RunId, long Version, AgentStepKind Kind, RunEvent Event)
{
    public DateTimeOffset At => Event.At;

    /// <summary>True for steps that are not stored events (streamed text).</summary>
    public bool IsTransient => Kind == AgentStepKind.TextDelta;

    /// <summary>A one-line human description of the step.</summary>
    public string Summary => Event switch
    {
        RunStarted e => $"run started: {e.AgentType} — {e.Task}",
        LlmCallCompleted e => $"llm call {e.Iteration}{(e.Final ? " (final)" : string.Empty)}: {e.Provider}/{e.Model}, {e.TotalTokens} tokens, finish {e.FinishReason}",
        LlmCallInterrupted e => $"llm call {e.Iteration} broke after output ({e.TotalTokens} tokens charged{(e.Estimated ? ", estimated" : string.Empty)}); asking again",
        AssistantMessage e => e.Text ?? $"({e.ToolCalls.Count} tool call(s))",
        ToolCallRequested e => $"tool requested: {e.ToolName} {e.Arguments.GetRawText()}",
        ApprovalRequested e => $"approval needed ({e.ApprovalId}) for {e.ToolName}: {e.Reason}",
        QuestionAsked e => $"question ({e.QuestionId}): {e.Question}",
        ApprovalGranted e => $"approved {e.CallId}{(e.Edited ? " with edited arguments" : string.Empty)}",
        ApprovalRejected e => $"rejected {e.CallId}: {e.Reason}",
        ApprovalExpired e => $"expired {e.CallId}",
        QuestionAnswered e => $"answered {e.QuestionId}: {e.Answer}",
        ToolCallStarted e => $"tool started: {e.ToolName}",
        ToolCallCompleted e => $"tool {(e.IsError ? "returned an error" : "completed")}: {e.ToolName} ({e.OutputChars} chars)",
        ToolCallFailed e => $"tool failed: {e.ToolName}: {e.Reason}: {e.Error}",
        ToolCallInterrupted e => $"tool interrupted: {e.ToolName}",
        RunCompleted e => $"completed: {e.Result}",
        RunFailed e => $"failed: {e.Error}",
        RunCancelled e => $"cancelled: {e.Reason}",
        RunMaxIterationsReached e => $"max iterations ({e.Iterations}): {e.Result}",
        RunBudgetExceeded e => $"budget exceeded ({e.Limit}): spent {e.Spent} of {e.LimitValue}",
        RunIncomplete e => $"incomplete: the answer was cut off (finish reason {e.FinishReason}): {e.Result}",
        AgentReasoningCompleted e => $"trace written ({e.Trace.Count} steps)",
        ModelOutputDelta e => e.Restart ? "(stream broke; asking again)" : e.Text,
        _ => Event.GetType().Name,
    };

    public static AgentStepKind KindOf(RunEvent @event) => @event switch
    {
        RunStarted => AgentStepKind.RunStarted,
        LlmCallCompleted or LlmCallInterrupted => AgentStepKind.LlmCall,
        AssistantMessage => AgentStepKind.Message,
        ToolCallRequested => AgentStepKind.ToolRequested,
        ApprovalRequested => AgentStepKind.ApprovalRequested,
        QuestionAsked => AgentStepKind.QuestionAsked,
        ApprovalGranted or ApprovalRejected or ApprovalExpired or QuestionAnswered => AgentStepKind.Decision,
        ToolCallStarted => AgentStepKind.ToolStarted,
        ToolCallCompleted or ToolCallFailed or ToolCallInterrupted => AgentStepKind.ToolResult,
        AgentReasoningCompleted => AgentStepKind.Trace,
        ModelOutputDelta => AgentStepKind.TextDelta,
        _ => AgentStepKind.RunEnded,
    };
}

/// <summary>Receives each step as soon as its event is stored. Runs on the driving task: keep it quick.</summary>
public delegate ValueTask AgentStepCallback(AgentStep step, CancellationToken cancellationToken);
