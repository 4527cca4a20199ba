namespace CompanyOs.Agents.Runs;

/// <summary>The life of one tool call. Phases from <see cref="Completed"/> on carry a result for the model.</summary>
public enum ToolCallPhase
{
    /// <summary>Requested and allowed to run (no approval needed).</summary>
    Requested = 0,
    AwaitingApproval,
    Approved,
    AwaitingAnswer,

    /// <summary>Running, or interrupted while running if the run is no longer driven.</summary>
    Started,
    Completed,
    Failed,
    Rejected,
    Expired,
    Answered,
    Interrupted,
}
