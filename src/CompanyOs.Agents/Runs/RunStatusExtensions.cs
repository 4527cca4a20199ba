namespace CompanyOs.Agents.Runs;

public static class RunStatusExtensions
{
    public static bool IsTerminal(this RunStatus status) =>
        status is RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled or RunStatus.MaxIterations or RunStatus.BudgetExceeded
            or RunStatus.Incomplete;

    /// <summary>The wire name: <c>running</c>, <c>awaiting_approval</c>, <c>completed</c>, <c>max_iterations</c>, <c>incomplete</c>, ...</summary>
    public static string ToWireName(this RunStatus status) => status switch
    {
        RunStatus.AwaitingApproval => "awaiting_approval",
        RunStatus.MaxIterations => "max_iterations",
        RunStatus.BudgetExceeded => "budget_exceeded",
        _ => status.ToString().ToLowerInvariant(),
    };
}
