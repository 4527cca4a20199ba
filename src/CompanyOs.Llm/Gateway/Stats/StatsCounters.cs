using System.Collections.Concurrent;

namespace CompanyOs.Llm.Gateway.Stats;

/// <summary>Mutable, thread-safe counters behind one <see cref="GatewayStatsRow"/>.</summary>
internal sealed class StatsCounters
{
    private readonly Lock _costLock = new();
    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private long _requests;
    private long _retries;
    private long _fallbacks;
    private long _cacheHits;
    private long _input;
    private long _output;
    private long _cacheRead;
    private long _cacheWrite;
    private long _unpriced;
    private decimal _cost;

    public void Record(in CallOutcome outcome)
    {
        Interlocked.Increment(ref _requests);
        if (outcome.Retries > 0)
        {
            Interlocked.Add(ref _retries, outcome.Retries);
        }

        if (outcome.FellBack)
        {
            Interlocked.Increment(ref _fallbacks);
        }

        if (outcome.ErrorClass is { } error)
        {
            _errors.AddOrUpdate(error, 1, static (_, n) => n + 1);

            // A failed call still spent what the provider billed for attempts it answered.
            Interlocked.Add(ref _input, outcome.InputTokens);
            Interlocked.Add(ref _output, outcome.OutputTokens);
            if (outcome.CostUsd is { } billed)
            {
                lock (_costLock)
                {
                    _cost += billed;
                }
            }

            return;
        }

        if (outcome.CacheHit)
        {
            Interlocked.Increment(ref _cacheHits);
            return;
        }

        Interlocked.Add(ref _input, outcome.InputTokens);
        Interlocked.Add(ref _output, outcome.OutputTokens);
        AddIfAny(ref _cacheRead, outcome.CacheReadTokens);
        AddIfAny(ref _cacheWrite, outcome.CacheWriteTokens);
        if (outcome.CostUsd is { } cost)
        {
            lock (_costLock)
            {
                _cost += cost;
            }
        }
        else
        {
            Interlocked.Increment(ref _unpriced);
        }
    }

    /// <summary>Most calls read and write no prompt cache: an interlocked add of zero would cost as much as a real one.</summary>
    private static void AddIfAny(ref long counter, long value)
    {
        if (value != 0)
        {
            Interlocked.Add(ref counter, value);
        }
    }

    public GatewayStatsRow ToRow(in StatsKey key)
    {
        decimal cost;
        lock (_costLock)
        {
            cost = _cost;
        }

        return new GatewayStatsRow
        {
            Provider = key.Provider,
            Model = key.Model,
            OrgId = key.OrgId,
            AgentType = key.AgentType,
            Requests = Interlocked.Read(ref _requests),
            Errors = new Dictionary<string, long>(_errors, StringComparer.Ordinal),
            Retries = Interlocked.Read(ref _retries),
            Fallbacks = Interlocked.Read(ref _fallbacks),
            CacheHits = Interlocked.Read(ref _cacheHits),
            InputTokens = Interlocked.Read(ref _input),
            OutputTokens = Interlocked.Read(ref _output),
            CacheReadTokens = Interlocked.Read(ref _cacheRead),
            CacheWriteTokens = Interlocked.Read(ref _cacheWrite),
            CostUsd = cost,
            UnpricedRequests = Interlocked.Read(ref _unpriced),
        };
    }
}
