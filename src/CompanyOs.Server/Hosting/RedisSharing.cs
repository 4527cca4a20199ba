using System.Runtime.CompilerServices;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Redis;
using CompanyOs.Server.Keys;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// With <c>redis</c> set, what instances share through it: the RPM/TPM limits (provider and per key), budget spend (over
/// the durable store when keys are on) and the response cache's L2; and a <c>redis</c> readiness entry.
/// </summary>
internal static class RedisSharing
{
    public static IServiceCollection AddRedisSharing(this IServiceCollection services, ServerOptions options, IHealthChecksBuilder readiness)
    {
        return options.Redis is { } configuration ? AddShared(services, options, configuration, readiness) : services;
    }

    // Kept out of AddRedisSharing: the JIT loads the assemblies of every type a method uses when it compiles it (here the
    // lambdas' closure over the Redis settings), so a server without Redis never loads StackExchange.Redis.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IServiceCollection AddShared(IServiceCollection services, ServerOptions options, string configuration, IHealthChecksBuilder readiness)
    {
        services.AddSingleton(sp => RedisConnection.Connect(configuration, options.RedisKeyPrefix, options.Instances,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<RedisConnection>()));
        services.AddSingleton<IWindowRateLimiterFactory>(sp => new RedisRateLimiterFactory(sp.GetRequiredService<RedisConnection>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new RedisSpendStore(sp.GetRequiredService<RedisConnection>(),
            options.KeysOn ? sp.GetRequiredService<DurableSpendStore>() : null,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RedisSpendStore>>()));
        // Registered after the durable store's: the gateway takes the last ISpendStore.
        services.AddSingleton<ISpendStore>(sp => sp.GetRequiredService<RedisSpendStore>());
        services.AddSingleton<IDistributedCache>(sp =>
        {
            var redis = sp.GetRequiredService<RedisConnection>();
            return new RedisCache(new RedisCacheOptions
            {
                ConnectionMultiplexerFactory = () => Task.FromResult(redis.Multiplexer),
                InstanceName = redis.KeyPrefix + "cache:",
            });
        });
        services.AddHybridCache();
        readiness.AddCheck<RedisReadiness>("redis");
        return services;
    }
}
