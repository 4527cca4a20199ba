using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Runs;

namespace CompanyOs.Agents.Runtime;

/// <summary>Where a run stands after a runtime call returned: finished, waiting for people, or driven elsewhere.</summary>
/// <param name="State">The run as stored.</param>
/// <param name="Pending">Its unexpired pending approvals and questions.</param>
/// <param name="OwnershipLost">This drive stopped because another instance wrote to the run first or took its lease over.</param>
/// <param name="DrivenBy">The instance holding the run's lease when this call did not drive the run because of it; else null.</param>
public sealed record AgentRunResult(RunState State, IReadOnlyList<PendingApproval> Pending, bool OwnershipLost = false, string? DrivenBy = null)
{
    public string RunId => State.RunId;

    public RunStatus Status => State.Status;

    /// <summary>The final (or partial, for max iterations / budget) answer.</summary>
    public string? Result => State.Result;

    public string? Error => State.Error;
}
