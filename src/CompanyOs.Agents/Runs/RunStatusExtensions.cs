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

    /// <summary>Reads a wire name (<see cref="ToWireName"/>) back; false for anything else, including <c>none</c>.</summary>
    public static bool TryParseWireName(string? name, out RunStatus status)
    {
        foreach (var candidate in Enum.GetValues<RunStatus>())
        {
            if (candidate != RunStatus.None && string.Equals(candidate.ToWireName(), name, StringComparison.Ordinal))
            {
                status = candidate;
                return true;
            }
        }

        status = RunStatus.None;
        return false;
    }
}
