using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Redis;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;

namespace CompanyOs.Llm.Tests.Redis;

/// <summary>The response cache with Redis as <see cref="HybridCache"/>'s L2, as the server sets it up when <c>redis</c> is set.</summary>
public sealed class RedisResponseCacheTests
{
    [Fact]
    public async Task Instances_share_cached_responses_through_Redis_but_never_across_orgs()
    {
        var prefix = TestRedis.NewPrefix();
        using var a = TestRedis.Connect(prefix);
        using var b = TestRedis.Connect(prefix);
        await using var cacheA = CacheOver(a);
        await using var cacheB = CacheOver(b);
        var providersA = new FakeProviderFactory(TimeProvider.System);
        var providersB = new FakeProviderFactory(TimeProvider.System);
        using var gatewayA = LlmGateway.CreateBuilder(TestOptions.Create(), providersA).WithCache(cacheA.GetRequiredService<HybridCache>()).Build();
        using var gatewayB = LlmGateway.CreateBuilder(TestOptions.Create(), providersB).WithCache(cacheB.GetRequiredService<HybridCache>()).Build();
        var ct = TestContext.Current.CancellationToken;

        var miss = await GatewayCalls.CallAsync(gatewayA, false, Cached("acme"), cancellationToken: ct);
        // HybridCache may write its L2 after answering: wait for the entry to be in Redis.
        var server = a.Multiplexer.GetServers()[0];
        await Poll.UntilAsync(() => server.Keys(pattern: prefix + "cache:*").Any(), "the response in Redis", cancellationToken: ct);
        var hit = await GatewayCalls.CallAsync(gatewayB, false, Cached("acme"), cancellationToken: ct);
        var otherOrg = await GatewayCalls.CallAsync(gatewayB, false, Cached("globex"), cancellationToken: ct);

        Assert.False(miss.Info.CacheHit);
        Assert.True(hit.Info.CacheHit);
        Assert.Equal(miss.Text, hit.Text);
        Assert.False(otherOrg.Info.CacheHit);
        Assert.Equal(1, providersA["a"].Attempts);
        Assert.Equal(1, providersB["a"].Attempts);
    }

    [Fact]
    public async Task Without_Redis_the_cache_still_answers_from_the_provider()
    {
        using var redis = TestRedis.Connect(TestRedis.NewPrefix(), configuration: TestRedis.ClosedPort());
        await using var cache = CacheOver(redis);
        var providers = new FakeProviderFactory(TimeProvider.System);
        using var gateway = LlmGateway.CreateBuilder(TestOptions.Create(), providers).WithCache(cache.GetRequiredService<HybridCache>()).Build();

        var first = await GatewayCalls.CallAsync(gateway, false, Cached("acme"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(first.Info.CacheHit);
        Assert.Equal(1, providers["a"].Attempts);
    }

    private static ChatOptions Cached(string org) => new ChatOptions { Temperature = 0 }.WithCallContext(new LlmCallContext { OrgId = org, UseCache = true });

    private static ServiceProvider CacheOver(RedisConnection redis)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IDistributedCache>(new RedisCache(new RedisCacheOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult(redis.Multiplexer),
            InstanceName = redis.KeyPrefix + "cache:",
        }));
        services.AddHybridCache();
        return services.BuildServiceProvider();
    }
}
