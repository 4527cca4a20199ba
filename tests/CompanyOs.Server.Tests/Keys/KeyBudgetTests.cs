using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Server.Hosting;
using CompanyOs.Server.Keys;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Keys;

/// <summary>
/// Per-key budgets (<c>keys create --budget-usd</c>) enforced by the gateway's own budget policy, with the spend kept in the
/// server's store: run on SQLite and on PostgreSQL.
/// </summary>
public abstract class KeyBudgetTests : IAsyncLifetime
{
    private const string Chat = """{"model":"gpt-4o","max_tokens":16,"messages":[{"role":"user","content":"spend a little"}]}""";
    private const string Messages = """{"model":"gpt-4o","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""";
    private TestStore? _store;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private protected TestStore Store => _store!;

    private protected abstract Task<TestStore> CreateStoreAsync();

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync();

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task An_exhausted_key_budget_answers_insufficient_quota_without_retry_after_and_stays_exhausted_after_a_restart()
    {
        string budgeted, unbudgeted, budgetedId;
        var spentUsd = 0m;
        var answered = 0;
        HttpResponseMessage? refused = null;
        await using (var first = await StartAsync())
        {
            var keys = Keys(first);
            (var record, budgeted) = await keys.CreateAsync("acme", [ApiKey.GatewayScope], budgetUsd: 0.001m, cancellationToken: Ct);
            budgetedId = record.Id;
            (_, unbudgeted) = await keys.CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);
            using var http = TestServers.Http(first);

            // Each call may spend up to ~$0.0002 (16 output tokens of gpt-4o): the budget runs out within a few calls.
            for (var i = 0; i < 30 && refused is null; i++)
            {
                var response = await http.PostAsync("v1/chat/completions", Chat, budgeted);
                if ((int)response.StatusCode == 200)
                {
                    answered++;
                    spentUsd += decimal.Parse(Assert.Single(response.Headers.GetValues("x-companyos-cost-usd")), CultureInfo.InvariantCulture);
                    response.Dispose();
                }
                else
                {
                    refused = response;
                }
            }

            Assert.NotNull(refused);
            using (refused)
            {
                var error = await ErrorJson.AssertOpenAIAsync(refused, 429, "insufficient_quota", code: "insufficient_quota");
                Assert.False(refused.Headers.Contains("Retry-After"));
                Assert.Contains($"API key '{budgetedId}'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            }

            using var anthropic = await http.PostAsync("v1/messages", Messages, budgeted, header: "x-api-key");
            await ErrorJson.AssertAnthropicAsync(anthropic, 429, "billing_error");
            Assert.False(anthropic.Headers.Contains("Retry-After"));
            using var sameOrgOtherKey = await http.PostAsync("v1/chat/completions", Chat, unbudgeted);
            Assert.Equal(200, (int)sameOrgOtherKey.StatusCode);
            Assert.InRange(answered, 2, 29);
            Assert.Equal(answered + 1, first.Emulator!.TotalRequestCount); // refused calls never reached the provider
        }

        await using var second = await StartAsync();
        using var again = TestServers.Http(second);
        using var afterRestart = await again.PostAsync("v1/chat/completions", Chat, budgeted);
        using var otherAfterRestart = await again.PostAsync("v1/chat/completions", Chat, unbudgeted);

        await ErrorJson.AssertOpenAIAsync(afterRestart, 429, "insufficient_quota", code: "insufficient_quota");
        Assert.Equal(200, (int)otherAfterRestart.StatusCode);
        Assert.Equal(1, second.Emulator!.TotalRequestCount);
        var spent = await second.Services.GetRequiredService<DurableSpendStore>().GetSpentAsync(new BudgetScope(BudgetScopeKind.ApiKey, budgetedId), Ct);
        Assert.Equal(spentUsd, spent.Usd, 9);
        Assert.True(spent.Usd <= 0.001m, $"spent {spent.Usd}");
    }

    [Fact]
    public async Task Keys_list_shows_each_key_budget_and_what_it_has_spent()
    {
        string id;
        await using (var server = await StartAsync())
        {
            (var record, var key) = await Keys(server).CreateAsync("acme", [ApiKey.GatewayScope], budgetUsd: 2.5m, cancellationToken: Ct);
            id = record.Id;
            using var http = TestServers.Http(server);
            using var response = await http.PostAsync("v1/chat/completions", Chat, key);
            Assert.Equal(200, (int)response.StatusCode);
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await KeysCommand.RunAsync(["keys", "list", .. Store.CommandArgs], output, error, Ct);

        Assert.True(code == 0, error.ToString());
        var line = Assert.Single(output.ToString().Split('\n'), l => l.StartsWith(id, StringComparison.Ordinal));
        Assert.Contains("budget=$2.5  spent=$0.000", line, StringComparison.Ordinal);
        Assert.DoesNotContain("spent=$0  ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_calls_of_one_key_never_spend_past_its_budget()
    {
        await using var server = await StartAsync();
        var (record, key) = await Keys(server).CreateAsync("acme", [ApiKey.GatewayScope], budgetUsd: 0.0008m, cancellationToken: Ct);
        using var http = TestServers.Http(server);

        // Each call reserves its maximum (~$0.0002) before it runs, so however they interleave the settled spend stays within
        // the budget; 16 calls cost far more than it, so some are refused.
        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => http.PostAsync("v1/chat/completions", Chat, key)));
        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        foreach (var response in responses)
        {
            response.Dispose();
        }

        var spent = await server.Services.GetRequiredService<DurableSpendStore>().GetSpentAsync(new BudgetScope(BudgetScopeKind.ApiKey, record.Id), Ct);
        Assert.All(statuses, s => Assert.Contains(s, new[] { 200, 429 }));
        Assert.Contains(200, statuses);
        Assert.Contains(429, statuses);
        Assert.Equal(statuses.Count(s => s == 200), server.Emulator!.TotalRequestCount);
        Assert.True(spent.Usd is > 0m and <= 0.0008m, $"spent {spent.Usd}");
    }

    private async Task<GatewayServer> StartAsync() => await TestServers.StartAsync(extraArgs: Store.ServerArgs);

    private static ApiKeyStore Keys(GatewayServer server) => server.Services.GetRequiredService<ApiKeyStore>();
}

public sealed class SqliteKeyBudgetTests : KeyBudgetTests
{
    private protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

public sealed class PostgresKeyBudgetTests : KeyBudgetTests
{
    private protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync();
}
