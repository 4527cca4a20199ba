namespace CompanyOs.Agents.Runtime;

public enum AgentRunErrorKind
{
    InvalidRequest = 0,
    UnknownAgentType,
    RunNotFound,
    RunAlreadyExists,

    /// <summary>The call id or question id has no pending decision (unknown, already decided, or of the wrong kind).</summary>
    NotPending,

    /// <summary>The pending approval or question expired before the decision; the expiry was recorded.</summary>
    Expired,

    /// <summary>Edited arguments do not match the tool's schema. Nothing was recorded.</summary>
    InvalidArguments,

    /// <summary>The run has ended; it cannot be changed.</summary>
    RunEnded,

    /// <summary>Other writers kept changing the run while a decision was being recorded.</summary>
    Conflict,

    /// <summary>
    /// The run needs tools this runtime's tool set lacks (it was started with another configuration, named in the message).
    /// Nothing was recorded. <see cref="AgentRuntimeOptions.AllowMissingTools"/> overrides.
    /// </summary>
    ToolsUnavailable,

    /// <summary>The agent definition has no capability of the requested name (the message lists those it has).</summary>
    UnknownCapability,
}
