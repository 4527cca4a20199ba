namespace CompanyOs.Events;

/// <summary>Who and what an event belongs to. Stored as JSON next to the event's data.</summary>
public sealed record EventMetadata
{
    public string? OrgId { get; init; }

    /// <summary>Ties together every event of one logical operation (e.g. an agent run).</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The event or command that caused this one.</summary>
    public string? CausationId { get; init; }

    /// <summary>Who did it: an agent, a user, the system.</summary>
    public string? Actor { get; init; }

    /// <summary>Anything else, as string pairs.</summary>
    public IReadOnlyDictionary<string, string>? Extra { get; init; }

    public static EventMetadata Empty { get; } = new();
}
