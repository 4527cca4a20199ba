namespace CompanyOs.Server.Agents;

internal static partial class AgentLog
{
    [LoggerMessage(EventId = 5100, Level = LogLevel.Information,
        Message = "Agent runtime ready: {Agents} agent type(s), runs stored in {Store}, at most {Slots} run(s) driven at once")]
    public static partial void RuntimeReady(ILogger logger, int agents, string store, int slots);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Looking for runs to take over failed: {Error}")]
    public static partial void TakeOverFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Run {RunId} cannot be driven here ({Kind}): {Error}")]
    public static partial void DriveRefused(ILogger logger, string runId, string kind, string error);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "Run {RunId}: the run store failed while driving ({Error}); trying again later")]
    public static partial void DriveStoreFailed(ILogger logger, string runId, string error);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Information,
        Message = "Agent runtime not started: no agent definitions, prompts or tools, and no run in {Store}; it starts on the first request of the agent API")]
    public static partial void RuntimeDeferred(ILogger logger, string store);
}
