namespace CompanyOs.Agents.Steps;

public enum AgentStepKind
{
    RunStarted = 0,
    LlmCall,

    /// <summary>Assistant text (a thought, or the final answer).</summary>
    Message,
    ToolRequested,
    ApprovalRequested,
    QuestionAsked,

    /// <summary>Approved, rejected, expired or answered.</summary>
    Decision,
    ToolStarted,

    /// <summary>Completed, failed or interrupted.</summary>
    ToolResult,
    RunEnded,
    Trace,

    /// <summary>Model text as it streams in (<see cref="Journal.ModelOutputDelta"/>); transient, never stored.</summary>
    TextDelta,
}
