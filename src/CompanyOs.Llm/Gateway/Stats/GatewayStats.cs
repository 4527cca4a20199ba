using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CompanyOs.Llm.Gateway.Telemetry;

namespace CompanyOs.Llm.Gateway.Stats;

/// <summary>
/// Counts every call by provider, model, org and agent: a snapshot API (<see cref="GetSnapshot"/>) and OpenTelemetry metrics
/// (<see cref="GatewayMetrics"/>) on a <see cref="Meter"/> named <see cref="MeterName"/> (one meter per gateway instance,
/// whose <see cref="Meter.Scope"/> is this object; no static state).
/// </summary>
public sealed class GatewayStats : IDisposable
{
    /// <summary>The meter name to subscribe to (<c>AddMeter("CompanyOs.Llm")</c>).</summary>
    public const string MeterName = "CompanyOs.Llm";

    private readonly ConcurrentDictionary<StatsKey, StatsCounters> _rows = new();
    private readonly TimeProvider _time;
    private readonly Meter _meter;

    public GatewayStats(TimeProvider timeProvider)
    {
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _meter = new Meter(new MeterOptions(MeterName) { Scope = this });
        Metrics = new GatewayMetrics(_meter);
    }

    /// <summary>The OpenTelemetry instruments on this gateway's meter.</summary>
    internal GatewayMetrics Metrics { get; }

    /// <summary>A copy of all counters, ordered by provider, model, org, agent.</summary>
    public GatewayStatsSnapshot GetSnapshot() => new(
        _time.GetUtcNow(),
        [.. _rows
            .Select(pair => pair.Value.ToRow(pair.Key))
            .OrderBy(r => r.Provider, StringComparer.Ordinal)
            .ThenBy(r => r.Model, StringComparer.Ordinal)
            .ThenBy(r => r.OrgId, StringComparer.Ordinal)
            .ThenBy(r => r.AgentType, StringComparer.Ordinal)]);

    /// <summary>Counts a finished call in its row (by the provider and model that answered, or were tried last) and in the metrics.</summary>
    internal void Record(GatewayCall call, in CallOutcome outcome)
    {
        var key = new StatsKey(call.Provider.Name, call.Model, call.Context?.OrgId, call.Context?.AgentType);
        if (!_rows.TryGetValue(key, out var counters))
        {
            counters = _rows.GetOrAdd(key, static _ => new StatsCounters());
        }

        counters.Record(outcome);
        Metrics.RecordCall(call, outcome);
    }

    public void Dispose() => _meter.Dispose();
}
