using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Gateway.Costs;
using Microsoft.Extensions.AI;

namespace CompanyOs.Benchmarks.Gateway;

/// <summary>
/// Per-call cost and usage accounting, outside the pipeline: pricing a call's usage (<see cref="CostCalculator.Compute(ProviderKind, string?, string, UsageDetails?)"/>
/// over the default price table, answered model first then the requested alias) and a budget reservation settled against
/// three scopes (org, API key, run) in <see cref="InMemorySpendStore"/>. Same-run baselines: a dictionary look-up and the
/// same decimal arithmetic inline, and the same three scopes' totals added under one lock.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CostAccountingBenchmarks
{
    private readonly UsageDetails _usage = new() { InputTokenCount = 1_200, CachedInputTokenCount = 200, OutputTokenCount = 350, TotalTokenCount = 1_550 };
    private readonly Dictionary<string, (decimal Input, decimal CacheRead, decimal Output)> _inlinePrices = new(StringComparer.Ordinal);
    private readonly Dictionary<BudgetScope, (decimal Usd, long Tokens)> _inlineSpend = [];
    private readonly Lock _inlineLock = new();
    private CostCalculator _calculator = null!;
    private InMemorySpendStore _store = null!;
    private BudgetCheck[] _checks = null!;

    [GlobalSetup]
    public void Setup()
    {
        _calculator = new CostCalculator(PriceTable.LoadDefault());
        if (_calculator.Compute(ProviderKind.OpenAI, "gpt-4o-2024-08-06", "gpt-4o", _usage) is not > 0m)
        {
            throw new InvalidOperationException("gpt-4o-2024-08-06 has no price in the default table: the benchmark would not measure pricing.");
        }

        _inlinePrices["gpt-4o-2024-08-06"] = (2.50m, 1.25m, 10.00m);
        _store = new InMemorySpendStore();
        _checks =
        [
            new(new BudgetScope(BudgetScopeKind.Org, "acme"), new BudgetLimit(MaxUsd: 1_000_000_000m)),
            new(new BudgetScope(BudgetScopeKind.ApiKey, "key-1"), new BudgetLimit(MaxUsd: 1_000_000_000m)),
            new(new BudgetScope(BudgetScopeKind.Run, "run-1"), new BudgetLimit(MaxTokens: long.MaxValue / 2)),
        ];
        foreach (var check in _checks)
        {
            _inlineSpend[check.Scope] = (0m, 0);
        }
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("cost")]
    public decimal Cost_inline_arithmetic()
    {
        var price = _inlinePrices["gpt-4o-2024-08-06"];
        long cached = _usage.CachedInputTokenCount ?? 0;
        long uncached = (_usage.InputTokenCount ?? 0) - cached;
        return ((uncached * price.Input) + (cached * price.CacheRead) + ((_usage.OutputTokenCount ?? 0) * price.Output)) / 1_000_000m;
    }

    [Benchmark]
    [BenchmarkCategory("cost")]
    public decimal? Cost_CostCalculator() => _calculator.Compute(ProviderKind.OpenAI, "gpt-4o-2024-08-06", "gpt-4o", _usage);

    [Benchmark]
    [BenchmarkCategory("cost")]
    public decimal? Cost_CostCalculator_alias_only() => _calculator.Compute(ProviderKind.OpenAI, null, "gpt-4o", _usage);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("spend")]
    public int Spend_inline_totals()
    {
        lock (_inlineLock)
        {
            foreach (var check in _checks)
            {
                var (usd, tokens) = _inlineSpend[check.Scope];
                _inlineSpend[check.Scope] = (usd + 0.0066m, tokens + 1_550);
            }
        }

        return _checks.Length;
    }

    [Benchmark]
    [BenchmarkCategory("spend")]
    public async Task<bool> Spend_reserve_and_settle()
    {
        var reserved = new SpendAmount(0.0100m, 2_000);
        var result = await _store.TryReserveAsync(_checks, reserved).ConfigureAwait(false);
        await _store.SettleAsync(_checks, reserved, new SpendAmount(0.0066m, 1_550)).ConfigureAwait(false);
        return result.Granted;
    }
}
