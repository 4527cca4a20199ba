namespace CompanyOs.Agents.Definitions;

/// <summary>How much an agent may do without a human saying yes.</summary>
public enum AutonomyLevel
{
    /// <summary>Every tool call waits for approval.</summary>
    Manual = 0,

    /// <summary>High-risk tools (and tools of unknown risk) wait for approval; low-risk tools run.</summary>
    Supervised = 1,

    /// <summary>No tool call waits; sandboxes and budgets still apply.</summary>
    Autonomous = 2,
}
