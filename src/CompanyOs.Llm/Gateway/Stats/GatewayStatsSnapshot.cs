namespace CompanyOs.Llm.Gateway.Stats;

/// <summary>A point-in-time copy of the gateway's counters (<see cref="LlmGateway.GetStats"/>).</summary>
public sealed record GatewayStatsSnapshot(DateTimeOffset TakenAt, IReadOnlyList<GatewayStatsRow> Rows)
{
    public long Requests => Rows.Sum(r => r.Requests);

    public long Errors => Rows.Sum(r => r.Errors.Values.Sum());

    public long Retries => Rows.Sum(r => r.Retries);

    public long Fallbacks => Rows.Sum(r => r.Fallbacks);

    public long CacheHits => Rows.Sum(r => r.CacheHits);

    public decimal CostUsd => Rows.Sum(r => r.CostUsd);

    /// <summary>Rows of one provider.</summary>
    public IEnumerable<GatewayStatsRow> ForProvider(string provider) => Rows.Where(r => r.Provider == provider);
}
