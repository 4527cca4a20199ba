using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CompanyOs.Llm.Gateway.Stats;

/// <summary>
/// Counts every call by provider, model, org and agent: a snapshot API (<see cref="GetSnapshot"/>) and OpenTelemetry metrics
/// on a <see cref="Meter"/> named <see cref="MeterName"/> (one meter per gateway instance, whose <see cref="Meter.Scope"/> is
/// this object; no static state).
/// </summary>
public sealed class GatewayStats : IDisposable
{
    /// <summary>The meter name to subscribe to (<c>AddMeter("CompanyOs.Llm")</c>).</summary>
    public const string MeterName = "CompanyOs.Llm";

    private readonly ConcurrentDictionary<StatsKey, StatsCounters> _rows = new();
    private readonly TimeProvider _time;
    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _tokens;
    private readonly Counter<double> _cost;
    private readonly Histogram<double> _duration;

    public GatewayStats(TimeProvider timeProvider)
    {
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _meter = new Meter(new MeterOptions(MeterName) { Scope = this });
        _requests = _meter.CreateCounter<long>("companyos.llm.requests", "{request}", "Gateway calls that finished, successfully or not.");
        _errors = _meter.CreateCounter<long>("companyos.llm.errors", "{request}", "Gateway calls that failed, by error.type.");
        _retries = _meter.CreateCounter<long>("companyos.llm.retries", "{retry}", "Retries made after retriable provider failures.");
        _fallbacks = _meter.CreateCounter<long>("companyos.llm.fallbacks", "{request}", "Calls answered by a fallback provider.");
        _cacheHits = _meter.CreateCounter<long>("companyos.llm.cache_hits", "{request}", "Calls answered from the response cache.");
        _tokens = _meter.CreateCounter<long>("companyos.llm.tokens", "{token}", "Tokens by token.type: input, output, cache_read, cache_write.");
        _cost = _meter.CreateCounter<double>("companyos.llm.cost", "USD", "Known cost of calls.");
        _duration = _meter.CreateHistogram<double>("companyos.llm.duration", "s", "Latency of whole gateway calls including retries.");
    }

    /// <summary>A copy of all counters, ordered by provider, model, org, agent.</summary>
    public GatewayStatsSnapshot GetSnapshot() => new(
        _time.GetUtcNow(),
        [.. _rows
            .Select(pair => pair.Value.ToRow(pair.Key))
            .OrderBy(r => r.Provider, StringComparer.Ordinal)
            .ThenBy(r => r.Model, StringComparer.Ordinal)
            .ThenBy(r => r.OrgId, StringComparer.Ordinal)
            .ThenBy(r => r.AgentType, StringComparer.Ordinal)]);

    internal void Record(in StatsKey key, in CallOutcome outcome)
    {
        if (!_rows.TryGetValue(key, out var counters))
        {
            counters = _rows.GetOrAdd(key, static _ => new StatsCounters());
        }

        counters.Record(outcome);
        if (!_requests.Enabled && !_duration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "gen_ai.provider.name", key.Provider },
            { "gen_ai.request.model", key.Model },
            { "companyos.org", key.OrgId ?? "" },
            { "companyos.agent", key.AgentType ?? "" },
        };
        _requests.Add(1, tags);
        _duration.Record(outcome.Duration.TotalSeconds, tags);
        AddOutcomeMetrics(outcome, tags);
    }

    private void AddOutcomeMetrics(in CallOutcome outcome, TagList tags)
    {
        if (outcome.Retries > 0)
        {
            _retries.Add(outcome.Retries, tags);
        }

        if (outcome.FellBack)
        {
            _fallbacks.Add(1, tags);
        }

        if (outcome.ErrorClass is { } error)
        {
            // A failed call still spent what the provider billed for attempts it answered (zero for most failures).
            AddTokens(outcome.InputTokens, "input", tags);
            AddTokens(outcome.OutputTokens, "output", tags);
            if (outcome.CostUsd is { } billed)
            {
                _cost.Add((double)billed, tags);
            }

            tags.Add("error.type", error);
            _errors.Add(1, tags);
            return;
        }

        if (outcome.CacheHit)
        {
            _cacheHits.Add(1, tags);
            return;
        }

        AddTokens(outcome.InputTokens, "input", tags);
        AddTokens(outcome.OutputTokens, "output", tags);
        AddTokens(outcome.CacheReadTokens, "cache_read", tags);
        AddTokens(outcome.CacheWriteTokens, "cache_write", tags);
        if (outcome.CostUsd is { } cost)
        {
            _cost.Add((double)cost, tags);
        }
    }

    private void AddTokens(long count, string type, TagList tags)
    {
        if (count > 0)
        {
            tags.Add("gen_ai.token.type", type);
            _tokens.Add(count, tags);
        }
    }

    public void Dispose() => _meter.Dispose();
}
