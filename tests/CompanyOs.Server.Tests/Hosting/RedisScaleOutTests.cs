using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using CompanyOs.Configuration;
using CompanyOs.Server.Hosting;
using CompanyOs.Server.Keys;
using CompanyOs.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>
/// Servers configured with <c>redis</c> (the throw-away Redis of <c>COMPANYOS_TEST_REDIS</c>, a fresh key prefix per test):
/// per-key limits and budgets shared across instances, end to end with the emulator; and what a server does without Redis.
/// </summary>
public sealed class RedisScaleOutTests
{
    private const string Variable = "COMPANYOS_TEST_REDIS";
    private const string Chat = """{"model":"gpt-4o","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Redis => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"{Variable} is not set. Run ./scripts/test.sh (it starts a throw-away Redis), or: source scripts/redis.sh && start_test_redis");

    [Fact]
    public async Task Two_servers_sharing_Redis_hold_a_keys_rpm_and_budget_together()
    {
        var prefix = "test:" + Guid.NewGuid().ToString("N")[..12] + ":";
        await using var store = TestStore.Sqlite();
        string[] args = [.. store.ServerArgs, $"--CompanyOs:Server:Redis={Redis}", $"--CompanyOs:Server:RedisKeyPrefix={prefix}", "--CompanyOs:Server:Instances=2"];
        await using var a = await TestServers.StartAsync(extraArgs: args);
        await using var b = await TestServers.StartAsync(extraArgs: args);
        var keys = a.Services.GetRequiredService<ApiKeyStore>();
        var (_, limited) = await keys.CreateAsync("acme", [ApiKey.GatewayScope], rpm: 3, cancellationToken: Ct);
        var (_, budgeted) = await keys.CreateAsync("acme", [ApiKey.GatewayScope], budgetUsd: 0.001m, cancellationToken: Ct);
        using var httpA = TestServers.Http(a);
        using var httpB = TestServers.Http(b);

        var statuses = new List<int>();
        foreach (var http in new[] { httpA, httpB, httpA, httpB })
        {
            using var response = await http.PostAsync("v1/chat/completions", Chat, limited);
            statuses.Add((int)response.StatusCode);
        }

        // The budget: calls alternate between the servers until one is refused; what was charged stays within it.
        var spent = 0m;
        var refused = 0;
        for (var i = 0; i < 30 && refused == 0; i++)
        {
            using var response = await (i % 2 == 0 ? httpA : httpB).PostAsync("v1/chat/completions", Chat, budgeted);
            if ((int)response.StatusCode == 200)
            {
                spent += decimal.Parse(Assert.Single(response.Headers.GetValues("x-companyos-cost-usd")), CultureInfo.InvariantCulture);
            }
            else
            {
                Assert.Equal(429, (int)response.StatusCode);
                refused++;
            }
        }

        Assert.Equal([200, 200, 200, 429], statuses);
        Assert.Equal(1, refused);
        Assert.InRange(spent, 0.0001m, 0.001m);
        var ready = await ReadyAsync(httpB);
        Assert.Equal("reachable", ready.GetProperty("stores").GetProperty("redis").GetString());
    }

    [Fact]
    public async Task Without_Redis_a_server_stays_ready_but_degraded_limits_keys_to_their_share_and_refuses_budgeted_calls()
    {
        await using var store = TestStore.Sqlite();
        await using var server = await TestServers.StartAsync(extraArgs:
            [.. store.ServerArgs, $"--CompanyOs:Server:Redis=127.0.0.1:{ClosedPort()}", "--CompanyOs:Server:Instances=2"]);
        var keys = server.Services.GetRequiredService<ApiKeyStore>();
        var (_, limited) = await keys.CreateAsync("acme", [ApiKey.GatewayScope], rpm: 4, cancellationToken: Ct);
        var (_, budgeted) = await keys.CreateAsync("acme", [ApiKey.GatewayScope], budgetUsd: 5m, cancellationToken: Ct);
        using var http = TestServers.Http(server);

        // Redis counts as out (limit ÷ instances) only once it has been unreachable for the connect timeout (1 s); before
        // that a call is refused rather than admitted locally.
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.PostAsync("v1/chat/completions", Chat, limited);
            statuses.Add((int)response.StatusCode);
        }

        using var budgetedCall = await http.PostAsync("v1/chat/completions", Chat, budgeted);
        var error = await ErrorJson.AssertOpenAIAsync(budgetedCall, 503, "server_error", code: "upstream_unavailable");
        var ready = await ReadyAsync(http);

        Assert.Equal([200, 200, 429], statuses);
        Assert.Contains("Redis", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(budgetedCall.Headers.Contains("Retry-After"));
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.StartsWith("degraded: Redis does not answer", ready.GetProperty("stores").GetProperty("redis").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_redis_setting_fails_startup_without_echoing_the_password()
    {
        var e = await Assert.ThrowsAsync<ConfigurationException>(() =>
            TestServers.StartAsync(extraArgs: ["--CompanyOs:Server:Redis=127.0.0.1:6379,password=hunter2-secret,bogus=1"]));

        Assert.Contains("CompanyOs:Server:Redis", e.Message, StringComparison.Ordinal);
        Assert.Contains("password, bogus", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> ReadyAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("readyz", UriKind.Relative), Ct);
        Assert.Equal(200, (int)response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
