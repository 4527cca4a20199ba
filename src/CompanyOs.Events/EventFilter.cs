namespace CompanyOs.Events;

/// <summary>Filters for reading all events. Null members match everything.</summary>
public sealed record EventFilter
{
    /// <summary>Only these event types.</summary>
    public IReadOnlyCollection<string>? Types { get; init; }

    /// <summary>Only events whose metadata has this org id.</summary>
    public string? OrgId { get; init; }

    /// <summary>Only streams whose id starts with this prefix.</summary>
    public string? StreamPrefix { get; init; }
}
