namespace CompanyOs.Llm.Gateway.Stats;

/// <summary>Counters for one (provider, model, org, agent) combination since the gateway was built.</summary>
public sealed record GatewayStatsRow
{
    public required string Provider { get; init; }

    public required string Model { get; init; }

    public string? OrgId { get; init; }

    public string? AgentType { get; init; }

    /// <summary>Calls that ended here, successful or not.</summary>
    public long Requests { get; init; }

    /// <summary>Failed calls by <see cref="ErrorClass"/>.</summary>
    public IReadOnlyDictionary<string, long> Errors { get; init; } = new Dictionary<string, long>();

    public long Retries { get; init; }

    /// <summary>Calls that were answered here after falling back from another provider.</summary>
    public long Fallbacks { get; init; }

    public long CacheHits { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public long CacheReadTokens { get; init; }

    public long CacheWriteTokens { get; init; }

    /// <summary>Sum of known costs in USD.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Successful calls whose cost is unknown (model without a price): <see cref="CostUsd"/> excludes them.</summary>
    public long UnpricedRequests { get; init; }
}
