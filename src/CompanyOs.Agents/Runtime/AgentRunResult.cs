using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Runs;

namespace CompanyOs.Agents.Runtime;

/// <summary>Where a run stands after a runtime call returned: finished, waiting for people, or driven elsewhere.</summary>
public sealed record AgentRunResult(RunState State, IReadOnlyList<PendingApproval> Pending, bool OwnershipLost = false)
{
    public string RunId => State.RunId;

    public RunStatus Status => State.Status;

    /// <summary>The final (or partial, for max iterations / budget) answer.</summary>
    public string? Result => State.Result;

    public string? Error => State.Error;
}
