using Microsoft.Extensions.Logging;

namespace CompanyOs.Agents.Runtime;

internal static partial class RuntimeLog
{
    [LoggerMessage(1, LogLevel.Information, "Run {RunId} ({AgentType}) started")]
    public static partial void RunStarted(ILogger logger, string runId, string agentType);

    [LoggerMessage(2, LogLevel.Information, "Run {RunId} ended with status {Status}")]
    public static partial void RunEnded(ILogger logger, string runId, string status);

    [LoggerMessage(3, LogLevel.Information, "Run {RunId} waits for {Count} human decision(s)")]
    public static partial void RunWaiting(ILogger logger, string runId, int count);

    [LoggerMessage(4, LogLevel.Warning, "Run {RunId}: another writer changed the run; this driver stopped")]
    public static partial void OwnershipLost(ILogger logger, string runId);

    [LoggerMessage(5, LogLevel.Warning, "Run {RunId}: LLM call failed: {ErrorKind}")]
    public static partial void LlmCallFailed(ILogger logger, string runId, string errorKind, Exception exception);

    [LoggerMessage(6, LogLevel.Warning, "Run {RunId}: tool call {CallId} ({ToolName}) threw")]
    public static partial void ToolThrew(ILogger logger, string runId, string callId, string toolName, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "Agent {AgentType}: tools {Tools} are not in the registry and are not offered")]
    public static partial void ToolsUnavailable(ILogger logger, string agentType, string tools);

    [LoggerMessage(8, LogLevel.Information, "Run {RunId} resumed at version {Version} with status {Status}")]
    public static partial void RunResumed(ILogger logger, string runId, long version, string status);

    [LoggerMessage(9, LogLevel.Information, "Run {RunId} is driven by instance {Owner}; this instance leaves it alone")]
    public static partial void DrivenElsewhere(ILogger logger, string runId, string owner);

    [LoggerMessage(10, LogLevel.Warning, "Run {RunId}: this instance lost the run's lease (another instance took it over); the drive stops")]
    public static partial void LeaseLost(ILogger logger, string runId);

    [LoggerMessage(11, LogLevel.Error, "Run {RunId}: the drive stopped on an unexpected error (a defect, not a model failure; nothing was recorded for it and the run stays resumable)")]
    public static partial void DriveFaulted(ILogger logger, string runId, Exception exception);
}
