using System.Diagnostics;
using System.Diagnostics.Metrics;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Gateway.Stats;

namespace CompanyOs.Llm.Gateway.Telemetry;

/// <summary>
/// The gateway's OpenTelemetry metrics on the <see cref="GatewayStats.MeterName"/> meter: the GenAI semantic conventions'
/// client metrics (<c>gen_ai.client.token.usage</c>, <c>gen_ai.client.operation.duration</c>, with their recommended bucket
/// boundaries) and the gateway's own counters (cost, retries, fallbacks, cache hits, budget refusals, rate-limit waits).
/// Attributes are low-cardinality only: provider, models, org, agent, error class — never run ids, keys or contents.
/// Nothing is built when no listener enabled the instruments.
/// </summary>
internal sealed class GatewayMetrics
{
    /// <summary>The semantic conventions' explicit bucket boundaries for <c>gen_ai.client.token.usage</c>.</summary>
    internal static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    /// <summary>The semantic conventions' explicit bucket boundaries for <c>gen_ai.client.operation.duration</c>, in seconds.</summary>
    internal static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    /// <summary>Rate-limit waits run from milliseconds to the configured maximum wait (<c>rate_limits.max_wait_seconds</c>).</summary>
    internal static readonly double[] WaitBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    private readonly Counter<long> _requests;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _tokens;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _budgetRefusals;
    private readonly Histogram<long> _tokenUsage;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _rateLimitWait;

    public GatewayMetrics(Meter meter)
    {
        _tokenUsage = meter.CreateHistogram(
            "gen_ai.client.token.usage", "{token}", "Tokens used per gateway call, by gen_ai.token.type (input, output).",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets });
        _duration = meter.CreateHistogram(
            "gen_ai.client.operation.duration", "s", "Duration of whole gateway calls, retries and fallbacks included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _requests = meter.CreateCounter<long>("companyos.llm.requests", "{request}", "Gateway calls that finished, successfully or not.");
        _errors = meter.CreateCounter<long>("companyos.llm.errors", "{request}", "Gateway calls that failed, by error.type.");
        _retries = meter.CreateCounter<long>("companyos.llm.retries", "{retry}", "Retries made after retriable provider failures.");
        _fallbacks = meter.CreateCounter<long>("companyos.llm.fallbacks", "{request}", "Calls answered (or failed) after falling back to another provider or model.");
        _cacheHits = meter.CreateCounter<long>("companyos.llm.cache_hits", "{request}", "Calls answered from the response cache.");
        _tokens = meter.CreateCounter<long>("companyos.llm.tokens", "{token}", "Tokens by gen_ai.token.type: input, output, cache_read, cache_write.");
        _cost = meter.CreateCounter<double>("companyos.llm.cost", "USD", "Known cost of calls, billed failed attempts included.");
        _budgetRefusals = meter.CreateCounter<long>(
            "companyos.llm.budget.refusals", "{request}", "Calls refused before reaching a provider because a budget would be exceeded, by companyos.budget.scope.");
        _rateLimitWait = meter.CreateHistogram(
            "companyos.llm.rate_limit.wait.duration", "s", "Waits for an RPM/TPM permit (the count is the number of waits), by companyos.rate_limit.outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = WaitBuckets });
    }

    /// <summary>True when any listener enabled a per-call instrument: the only check made on the hot path when nobody listens.</summary>
    private bool CallsEnabled => _requests.Enabled || _duration.Enabled || _tokenUsage.Enabled || _cost.Enabled || _tokens.Enabled
        || _errors.Enabled || _retries.Enabled || _fallbacks.Enabled || _cacheHits.Enabled || _budgetRefusals.Enabled;

    /// <summary>Records one finished gateway call.</summary>
    public void RecordCall(GatewayCall call, in CallOutcome outcome)
    {
        if (!CallsEnabled)
        {
            return;
        }

        var tags = CallTags(call, answered: outcome.ErrorClass is null);
        if (outcome.Retries > 0)
        {
            _retries.Add(outcome.Retries, tags);
        }

        if (outcome.FellBack)
        {
            _fallbacks.Add(1, tags);
        }

        if (outcome.CacheHit)
        {
            _cacheHits.Add(1, tags);
        }
        else
        {
            // A failed call still spent what the provider billed for attempts it answered (zero for most failures).
            AddTokens(outcome.InputTokens, "input", tags, semconv: true);
            AddTokens(outcome.OutputTokens, "output", tags, semconv: true);
            AddTokens(outcome.CacheReadTokens, "cache_read", tags, semconv: false);
            AddTokens(outcome.CacheWriteTokens, "cache_write", tags, semconv: false);
            if (outcome.CostUsd is { } cost)
            {
                _cost.Add((double)cost, tags);
            }
        }

        _requests.Add(1, tags);
        if (outcome.RefusedBy is { } scope)
        {
            var refused = tags;
            refused.Add("companyos.budget.scope", ScopeName(scope));
            _budgetRefusals.Add(1, refused);
        }

        if (outcome.ErrorClass is { } error)
        {
            tags.Add("error.type", error);
            _errors.Add(1, tags);
        }

        _duration.Record(outcome.Duration.TotalSeconds, tags);
    }

    /// <summary>Records a wait for a rate-limit permit and how it ended (<c>acquired</c>, <c>timeout</c>, <c>refused</c>, <c>cancelled</c>).</summary>
    public void RecordRateLimitWait(GatewayCall call, TimeSpan waited, string outcome)
    {
        if (!_rateLimitWait.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "gen_ai.provider.name", GatewayTelemetry.ProviderName(call.Provider.Kind) },
            { "companyos.provider", call.Provider.Name },
            { "companyos.rate_limit.outcome", outcome },
        };
        _rateLimitWait.Record(waited.TotalSeconds, tags);
    }

    /// <summary>
    /// The GenAI attributes of a call: the provider that answered (or was tried last), the model asked for and, on success,
    /// the model that answered; plus the configured provider name, org and agent type. Seven at most with the token type or
    /// error class added: a <see cref="TagList"/> holds eight without allocating.
    /// </summary>
    private static TagList CallTags(GatewayCall call, bool answered)
    {
        var tags = new TagList
        {
            { "gen_ai.operation.name", "chat" },
            { "gen_ai.provider.name", GatewayTelemetry.ProviderName(call.Provider.Kind) },
            { "gen_ai.request.model", call.PrimaryRoute.Model },
            { "companyos.provider", call.Provider.Name },
            { "companyos.org", call.Context?.OrgId ?? "" },
            { "companyos.agent", call.Context?.AgentType ?? "" },
        };
        if (answered)
        {
            tags.Add("gen_ai.response.model", call.AnsweredModel ?? call.Model);
        }

        return tags;
    }

    private void AddTokens(long count, string type, TagList tags, bool semconv)
    {
        if (count <= 0)
        {
            return;
        }

        tags.Add("gen_ai.token.type", type);
        _tokens.Add(count, tags);
        if (semconv)
        {
            _tokenUsage.Record(count, tags);
        }
    }

    private static string ScopeName(BudgetScopeKind kind) => kind switch
    {
        BudgetScopeKind.Org => "org",
        BudgetScopeKind.Agent => "agent",
        BudgetScopeKind.Run => "run",
        BudgetScopeKind.ApiKey => "api_key",
        _ => "unknown",
    };
}
