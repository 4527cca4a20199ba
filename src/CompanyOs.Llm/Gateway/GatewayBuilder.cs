using System.Collections.Frozen;
using CompanyOs.Llm.Calls;
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
/// Builds an <see cref="LlmGateway"/> (or the <see cref="GatewayServices"/> for a pipeline of your own) from options; everything
/// else has a default. Each dependency is given once: the clock and model catalog set here reach the provider clients too.
/// Options are validated here, so bad configuration fails at start-up, never on the first request.
/// </summary>
public sealed class GatewayBuilder
{
    private readonly LlmOptions _options;
    private readonly IProviderClientFactory? _providers;
    private TimeProvider _time = TimeProvider.System;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private ISpendStore? _spendStore;
    private HybridCache? _cache;
    private ITokenCounter? _tokenCounter;
    private PriceTable? _prices;
    private ModelCatalog? _catalog;
    private ILlmCallRecorder? _recorder;
    private IWindowRateLimiterFactory? _rateLimiters;

    /// <param name="options">The validated configuration (see <see cref="LlmConfigLoader"/>).</param>
    /// <param name="providers">
    /// Custom provider clients (tests, benchmarks); default: a <see cref="ProviderClientFactory"/> over this builder's clock and
    /// model catalog.
    /// </param>
    public GatewayBuilder(LlmOptions options, IProviderClientFactory? providers = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _providers = providers;
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

    /// <summary>Told about every call the gateway charged (a durable usage log); default: none.</summary>
    public GatewayBuilder WithCallRecorder(ILlmCallRecorder recorder) => Set(ref _recorder, recorder);

    /// <summary>
    /// Makes the provider RPM/TPM limiters; default: in-process (<see cref="InProcessRateLimiterFactory"/>). Give a
    /// <see cref="Redis.RedisRateLimiterFactory"/> to share the limits with other instances.
    /// </summary>
    public GatewayBuilder WithRateLimiterFactory(IWindowRateLimiterFactory factory) => Set(ref _rateLimiters, factory);

    /// <summary>Validates the options, creates the provider clients and assembles the default pipeline.</summary>
    /// <exception cref="ConfigurationException">The options are invalid (ranges, unknown providers, fallback cycles…).</exception>
    public LlmGateway Build()
    {
        var services = BuildServices();
        try
        {
            return new LlmGateway(Pipeline(services), services, ownsServices: true);
        }
        catch
        {
            services.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Validates the options and creates what the policies share, including the provider clients, without a pipeline: compose
    /// one from <see cref="GatewayServices.ProviderClient"/> and the <c>UseX(services)</c> extensions. The caller owns the result.
    /// </summary>
    /// <exception cref="ConfigurationException">The options are invalid (ranges, unknown providers, fallback cycles…).</exception>
    public GatewayServices BuildServices()
    {
        GatewayOptionsValidator.Validate(_options);
        var prices = (_prices ?? PriceTable.LoadDefault()).WithOverrides(_options.Prices);
        var catalog = _catalog ?? ModelCatalog.FromOptions(_options);
        var router = new ModelRouter(_options, catalog, prices);
        var owned = new List<IDisposable>();
        try
        {
            var stats = new GatewayStats(_time);
            owned.Add(stats);
            var limiters = new ProviderRateLimiters(_options, _rateLimiters ?? new InProcessRateLimiterFactory(_time));
            owned.Add(limiters);
            var cache = _cache ?? CreateDefaultCache(owned);
            var factory = _providers ?? new ProviderClientFactory(catalog, _time);
            var clients = new Dictionary<string, IChatClient>(StringComparer.Ordinal);
            foreach (var provider in _options.Providers.Values.Where(p => p.Enabled))
            {
                var client = factory.Create(provider);
                owned.Add(client);
                clients[provider.Name] = client;
            }

            GatewayServices? services = null;
            return services = new GatewayServices
            {
                // The provider stage prices billed failed attempts with the services it is part of.
                ProviderClient = new ProviderCallChatClient(clients.ToFrozenDictionary(StringComparer.Ordinal), _time, () => services!.Budgets),
                Options = _options,
                Time = _time,
                LoggerFactory = _loggerFactory,
                Router = router,
                Costs = new CostCalculator(prices, _loggerFactory.CreateLogger<CostCalculator>()),
                Stats = stats,
                TokenCounter = _tokenCounter ?? new TiktokenTokenCounter(catalog),
                SpendStore = _spendStore ?? new InMemorySpendStore(),
                RateLimiters = limiters,
                CallRecorder = _recorder,
                Cache = cache,
                Owned = [.. owned],
            };
        }
        catch
        {
            foreach (var item in owned)
            {
                item.Dispose();
            }

            throw;
        }
    }

    /// <summary>Every check <see cref="BuildServices"/> makes on the options (ranges, then routing), without building anything.</summary>
    /// <exception cref="ConfigurationException">The options are invalid.</exception>
    internal static void Validate(LlmOptions options)
    {
        GatewayOptionsValidator.Validate(options);
        _ = new ModelRouter(options, ModelCatalog.FromOptions(options), PriceTable.LoadDefault().WithOverrides(options.Prices));
    }

    /// <summary>The default pipeline, outermost policy first.</summary>
    internal static IChatClient Pipeline(GatewayServices services) =>
        new ChatClientBuilder(services.ProviderClient)
            .UseRouting(services)
            .UseCallAccounting(services)
            .UseResponseCache(services)
            .UseFallback(services)
            .UseBudgets(services)
            .UseResilience(services)
            .UseRateLimits(services)
            .Build();

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
