namespace CompanyOs.Agents.Journal;

/// <summary>
/// An event of an agent run, stored in stream <c>agent-session:{run id}</c> under its type name (the record's name).
/// Payloads are serialized with <see cref="AgentEventJsonContext"/> (snake_case JSON).
/// </summary>
public abstract record RunEvent
{
    /// <summary>When it happened (the runtime's <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset At { get; init; }
}
