using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Caching;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway.Stats;

/// <summary>The route on a stream's first update: known before the first chunk, and never stored in the response cache.</summary>
public sealed class CallRouteTests
{
    private readonly FakeProviderFactory _factory = new(TimeProvider.System);

    [Fact]
    public async Task The_first_update_carries_the_route_and_a_replay_from_the_cache_says_so_without_storing_the_old_route()
    {
        using var gateway = LlmGateway.CreateBuilder(TestOptions.Create() with { Cache = new ResponseCacheOptions { Enabled = true } }, _factory).Build();
        var ct = TestContext.Current.CancellationToken;
        var options = new ChatOptions { Temperature = 0 }.WithCallContext(new LlmCallContext { OrgId = "acme" });

        var miss = await GatewayCalls.CallAsync(gateway, streaming: true, options, cancellationToken: ct);
        var replay = await GatewayCalls.CallAsync(gateway, streaming: true, options, cancellationToken: ct);
        var hit = await gateway.GetResponseAsync("hello", options, ct);

        var route = LlmCallRoute.From(miss.Updates[0]);
        Assert.NotNull(route);
        Assert.Equal(miss.Info.Provider, route.Provider);
        Assert.False(route.CacheHit);
        Assert.Empty(route.FallbackPath);
        Assert.Single(miss.Updates, u => LlmCallRoute.From(u) is not null);
        Assert.True(LlmCallRoute.From(replay.Updates[0])?.CacheHit);
        // The route is the call's, not the answer's: a cached answer must not bring back the first call's.
        Assert.DoesNotContain(hit.Messages, m => m.AdditionalProperties?.ContainsKey(LlmCallRoute.PropertyKey) == true);
        Assert.False(hit.AdditionalProperties?.ContainsKey(LlmCallRoute.PropertyKey) == true);
    }
}
