using System.Collections.Frozen;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Gateway.Caching;
using CompanyOs.Llm.Gateway.Costs;
using CompanyOs.Llm.Gateway.Fallback;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Gateway.Resilience;
using CompanyOs.Llm.Gateway.Routing;
using CompanyOs.Llm.Gateway.Stats;
using CompanyOs.Llm.Models;
using CompanyOs.Llm.Tokens;
using CompanyOs.Llm.Providers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CompanyOs.Llm.Gateway;

/// <summary>
/// Builds an <see cref="LlmGateway"/> from options and a provider client factory; everything else has a default.
/// Options are validated here, so bad configuration fails at start-up, never on the first request.
/// </summary>
public sealed class GatewayBuilder
{
    private readonly LlmOptions _options;
    private readonly IProviderClientFactory _providers;
    private TimeProvider _time = TimeProvider.System;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private ISpendStore? _spendStore;
    private HybridCache? _cache;
    private ITokenCounter? _tokenCounter;
    private PriceTable? _prices;
    private ModelCatalog? _catalog;

    public GatewayBuilder(LlmOptions options, IProviderClientFactory providers)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _providers = providers ?? throw new ArgumentNullException(nameof(providers));
    }

    /// <summary>The clock for backoff, deadlines, timeouts, breakers and rate limits (tests: <c>FakeTimeProvider</c>).</summary>
    public GatewayBuilder WithTimeProvider(TimeProvider timeProvider) => Set(ref _time, timeProvider);

    public GatewayBuilder WithLoggerFactory(ILoggerFactory loggerFactory) => Set(ref _loggerFactory, loggerFactory);

    /// <summary>Where budget spend is kept; default: a new <see cref="InMemorySpendStore"/>.</summary>
    public GatewayBuilder WithSpendStore(ISpendStore spendStore) => Set(ref _spendStore, spendStore);

    /// <summary>The response cache; default: an in-memory <see cref="HybridCache"/> owned by the gateway.</summary>
    public GatewayBuilder WithCache(HybridCache cache) => Set(ref _cache, cache);

    /// <summary>Prompt token estimation for TPM limits and budgets; default: <see cref="TiktokenTokenCounter"/>.</summary>
    public GatewayBuilder WithTokenCounter(ITokenCounter tokenCounter) => Set(ref _tokenCounter, tokenCounter);

    /// <summary>The base price table; default: the embedded <c>config/prices.json</c>. The <c>prices</c> option section is applied on top.</summary>
    public GatewayBuilder WithPrices(PriceTable prices) => Set(ref _prices, prices);

    /// <summary>Aliases and model families for routing; default: <see cref="ModelCatalog.FromOptions"/>.</summary>
    public GatewayBuilder WithModelCatalog(ModelCatalog catalog) => Set(ref _catalog, catalog);

    /// <summary>Validates the options, creates the provider clients and assembles the pipeline.</summary>
    /// <exception cref="ConfigurationException">The options are invalid (ranges, unknown providers, fallback cycles…).</exception>
    public LlmGateway Build()
    {
        GatewayOptionsValidator.Validate(_options);
        var prices = (_prices ?? PriceTable.LoadDefault()).WithOverrides(_options.Prices);
        var catalog = _catalog ?? ModelCatalog.FromOptions(_options);
        var router = new ModelRouter(_options, catalog, prices);
        var owned = new List<IDisposable>();
        var stats = new GatewayStats(_time);
        owned.Add(stats);
        var limiters = new ProviderRateLimiters(_options, _time);
        owned.Add(limiters);
        var services = new GatewayServices
        {
            Options = _options,
            Time = _time,
            LoggerFactory = _loggerFactory,
            Router = router,
            Costs = new CostCalculator(prices, _loggerFactory.CreateLogger<CostCalculator>()),
            Stats = stats,
            TokenCounter = _tokenCounter ?? new TiktokenTokenCounter(catalog),
            SpendStore = _spendStore ?? new InMemorySpendStore(),
            RateLimiters = limiters,
            Cache = _cache ?? CreateDefaultCache(owned),
        };

        var clients = _options.Providers.Values.Where(p => p.Enabled).ToFrozenDictionary(p => p.Name, _providers.Create, StringComparer.Ordinal);
        var pipeline = new ChatClientBuilder(new ProviderCallChatClient(clients, _time))
            .UseRouting(services)
            .UseCallAccounting(services)
            .UseResponseCache(services)
            .UseFallback(services)
            .UseBudgets(services)
            .UseResilience(services)
            .UseRateLimits(services)
            .Build();
        return new LlmGateway(pipeline, services, [.. owned]);
    }

    private HybridCache CreateDefaultCache(List<IDisposable> owned)
    {
        var collection = new ServiceCollection();
        collection.AddSingleton(_time);
        collection.AddSingleton(_loggerFactory);
        collection.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        collection.AddHybridCache();
        var provider = collection.BuildServiceProvider();
        owned.Add(provider);
        return provider.GetRequiredService<HybridCache>();
    }

    private GatewayBuilder Set<T>(ref T field, T value)
        where T : class?
    {
        field = value ?? throw new ArgumentNullException(nameof(value));
        return this;
    }
}
