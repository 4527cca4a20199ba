namespace CompanyOs.Agents.Runtime;

/// <summary>A request to the agent runtime that cannot be done; <see cref="Kind"/> says why, the message names the run and call.</summary>
public sealed class AgentRunException : Exception
{
    public AgentRunException(AgentRunErrorKind kind, string message, string? runId = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        RunId = runId;
    }

    public AgentRunErrorKind Kind { get; }

    public string? RunId { get; }
}
