using CompanyOs.Agents.Definitions;
using CompanyOs.Tools;

namespace CompanyOs.Agents.Approvals;

/// <summary>Which tool calls wait for a human, by autonomy level and tool risk.</summary>
public static class ApprovalPolicy
{
    /// <summary>The reason the call must wait, or null when it may run. <paramref name="tool"/> null = unknown tool (high risk).</summary>
    public static string? ReasonToWait(AutonomyLevel autonomy, string toolName, ITool? tool) => autonomy switch
    {
        AutonomyLevel.Autonomous => null,
        AutonomyLevel.Manual => $"manual autonomy: every tool call needs approval ('{toolName}')",
        _ when tool is null => $"supervised autonomy: '{toolName}' has unknown risk and counts as high risk",
        _ when tool.Risk == ToolRisk.High => $"supervised autonomy: '{toolName}' is a high-risk tool",
        _ => null,
    };
}
