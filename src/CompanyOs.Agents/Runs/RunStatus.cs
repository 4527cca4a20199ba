namespace CompanyOs.Agents.Runs;

/// <summary>Where a run is. Everything but <see cref="Running"/> and <see cref="AwaitingApproval"/> is terminal.</summary>
public enum RunStatus
{
    /// <summary>Not started: the stream does not exist.</summary>
    None = 0,
    Running,

    /// <summary>At least one tool call waits for a human decision or an answer to <c>ask_human</c>.</summary>
    AwaitingApproval,
    Completed,
    Failed,
    Cancelled,

    /// <summary>Hit the iteration limit; the result is the model's best answer from a last tools-disabled turn.</summary>
    MaxIterations,
    BudgetExceeded,

    /// <summary>The model's final answer was cut off (finish reason <c>length</c> or <c>content_filter</c>); the result is the cut text.</summary>
    Incomplete,
}
