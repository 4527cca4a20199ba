using CompanyOs.Agents.Runs;

namespace CompanyOs.Agents.Approvals;

/// <summary>Reads the pending decisions out of a run's state.</summary>
public static class PendingApprovals
{
    /// <summary>Waiting approvals and questions of <paramref name="state"/>; those expired at <paramref name="now"/> are left out when given.</summary>
    public static IReadOnlyList<PendingApproval> From(RunState state, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Status != RunStatus.AwaitingApproval || state.Start is null)
        {
            return [];
        }

        return
        [
            .. state.WaitingCalls
                .Where(c => now is null || c.ExpiresAt is null || c.ExpiresAt > now)
                .Select(c => new PendingApproval
                {
                    Id = c.ApprovalId!,
                    Kind = c.Phase == ToolCallPhase.AwaitingAnswer ? PendingKind.Question : PendingKind.ToolApproval,
                    RunId = state.RunId,
                    OrgId = state.OrgId,
                    AgentType = state.Start.AgentType,
                    CallId = c.CallId,
                    ToolName = c.ToolName,
                    ProposedArguments = c.Arguments,
                    ArgumentsHash = c.ArgumentsHash,
                    Reason = c.Question ?? c.ApprovalReason ?? string.Empty,
                    RequestedAt = c.RequestedAt,
                    ExpiresAt = c.ExpiresAt,
                }),
        ];
    }
}
