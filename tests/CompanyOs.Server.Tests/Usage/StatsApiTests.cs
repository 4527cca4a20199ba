using System.Globalization;
using System.Text.Json;
using CompanyOs.Llm.Calls;
using CompanyOs.Server.Hosting;
using CompanyOs.Server.Keys;
using CompanyOs.Server.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace CompanyOs.Server.Tests.Usage;

/// <summary><c>GET /v1/stats</c> over the durable usage log: only the key's org, grouped as asked; on SQLite and PostgreSQL.</summary>
public abstract class StatsApiTests : IAsyncLifetime
{
    private TestStore? _store;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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
    public async Task An_org_sees_exactly_its_own_calls_grouped_as_asked_and_nothing_of_another_org()
    {
        await using var server = await TestServers.StartAsync(extraArgs: _store!.ServerArgs);
        var keys = server.Services.GetRequiredService<ApiKeyStore>();
        var (a1, keyA1) = await keys.CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);
        var (a2, keyA2) = await keys.CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);
        var (b, keyB) = await keys.CreateAsync("beta", [ApiKey.GatewayScope], cancellationToken: Ct);
        var (_, readOnly) = await keys.CreateAsync("acme", ["agents"], cancellationToken: Ct);
        using var http = TestServers.Http(server);
        var expected = new Usage();

        // The call claims org beta in the body (user, metadata) and in headers: the key's org pays and sees it.
        expected += await ChatAsync(http, keyA1, """
            {"model":"gpt-4o","user":"beta","metadata":{"org":"beta","org_id":"beta"},"messages":[{"role":"user","content":"one"}]}
            """, ("x-companyos-org", "beta"), ("OpenAI-Organization", "beta"));
        expected += await ChatAsync(http, keyA1, """{"model":"gpt-4o","messages":[{"role":"user","content":"two"}]}""");
        expected += await MessagesAsync(http, keyA2, """
            {"model":"claude-3.5-sonnet","max_tokens":50,"metadata":{"user_id":"beta"},"messages":[{"role":"user","content":"three"}]}
            """);
        expected += await StreamAsync(http, keyA2, """
            {"model":"claude-3.5-sonnet","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"four"}]}
            """);
        var beta = await ChatAsync(http, keyB, """{"model":"gpt-4o","messages":[{"role":"user","content":"other org"}]}""");

        using var all = await StatsAsync(http, readOnly, ""); // any valid key may read its org's stats
        using var byProvider = await StatsAsync(http, keyA1, "?group_by=provider,model");
        using var byKey = await StatsAsync(http, keyA2, "?group_by=key,day");
        using var ofBeta = await StatsAsync(http, keyB, "?group_by=provider,model,agent,key,day");

        var totals = all.RootElement.GetProperty("totals");
        Assert.Equal("stats", all.RootElement.GetProperty("object").GetString());
        Assert.Equal((4L, expected.Input, expected.Output, expected.Cost),
            (totals.GetProperty("calls").GetInt64(), totals.GetProperty("input_tokens").GetInt64(), totals.GetProperty("output_tokens").GetInt64(), totals.GetProperty("cost_usd").GetDecimal()));
        var row = Assert.Single(all.RootElement.GetProperty("rows").EnumerateArray());
        Assert.Equal(("acme", 4L, 4L, 0L), (row.GetProperty("org").GetString(), row.GetProperty("calls").GetInt64(),
            row.GetProperty("emulated_calls").GetInt64(), row.GetProperty("unpriced_calls").GetInt64()));

        var providers = byProvider.RootElement.GetProperty("rows").EnumerateArray()
            .GroupBy(r => r.GetProperty("provider").GetString()).ToDictionary(g => g.Key!, g => g.Sum(r => r.GetProperty("calls").GetInt64()));
        Assert.Equal(new Dictionary<string, long> { ["anthropic"] = 2, ["openai"] = 2 }, providers);
        Assert.All(byProvider.RootElement.GetProperty("rows").EnumerateArray(), r => Assert.Equal(JsonValueKind.Null, r.GetProperty("key_id").ValueKind));

        var perKey = byKey.RootElement.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("key_id").GetString()!, r => r.GetProperty("calls").GetInt64());
        Assert.Equal(new Dictionary<string, long> { [a1.Id] = 2, [a2.Id] = 2 }, perKey);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        string[] days = [today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), today.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)];
        Assert.All(byKey.RootElement.GetProperty("rows").EnumerateArray(), r => Assert.Contains(r.GetProperty("day").GetString(), days));

        var betaRow = Assert.Single(ofBeta.RootElement.GetProperty("rows").EnumerateArray());
        Assert.Equal(("beta", b.Id, "openai", 1L, beta.Input, beta.Output),
            (betaRow.GetProperty("org").GetString(), betaRow.GetProperty("key_id").GetString(), betaRow.GetProperty("provider").GetString(),
             betaRow.GetProperty("calls").GetInt64(), betaRow.GetProperty("input_tokens").GetInt64(), betaRow.GetProperty("output_tokens").GetInt64()));

        // Zero leaks: nothing of beta in any of acme's answers, nothing of acme in beta's.
        foreach (var document in new[] { all, byProvider, byKey })
        {
            var text = document.RootElement.GetRawText();
            Assert.DoesNotContain("beta", text, StringComparison.Ordinal);
            Assert.DoesNotContain(b.Id, text, StringComparison.Ordinal);
        }

        var betaText = ofBeta.RootElement.GetRawText();
        Assert.DoesNotContain("acme", betaText, StringComparison.Ordinal);
        Assert.DoesNotContain(a1.Id, betaText, StringComparison.Ordinal);
        Assert.DoesNotContain(a2.Id, betaText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dates_filter_by_utc_day_and_calls_with_an_agent_are_grouped_under_it_and_survive_a_restart()
    {
        string key;
        await using (var server = await TestServers.StartAsync(extraArgs: _store!.ServerArgs))
        {
            (_, key) = await server.Services.GetRequiredService<ApiKeyStore>().CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);
            var gateway = server.Services.GetRequiredService<IChatClient>();
            var options = new ChatOptions { ModelId = "gpt-4o" }.WithCallContext(new LlmCallContext { OrgId = "acme", AgentType = "researcher" });
            await gateway.GetResponseAsync("an agent's call", options, Ct);
            using var http = TestServers.Http(server);
            using var response = await http.PostAsync("v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""", key);
            Assert.Equal(200, (int)response.StatusCode);
        }

        await using var restarted = await TestServers.StartAsync(extraArgs: _store.ServerArgs);
        using var again = TestServers.Http(restarted);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        using var byAgent = await StatsAsync(again, key, $"?group_by=agent&from={today.AddDays(-1):yyyy-MM-dd}&to={today.AddDays(1):yyyy-MM-dd}");
        using var past = await StatsAsync(again, key, "?from=2020-01-01&to=2020-12-31&group_by=day");

        var rows = byAgent.RootElement.GetProperty("rows").EnumerateArray()
            .ToDictionary(r => r.GetProperty("agent").GetString() ?? "(none)", r => r.GetProperty("calls").GetInt64());
        Assert.Equal(new Dictionary<string, long> { ["(none)"] = 1, ["researcher"] = 1 }, rows);
        Assert.Empty(past.RootElement.GetProperty("rows").EnumerateArray());
        Assert.Equal(0, past.RootElement.GetProperty("totals").GetProperty("calls").GetInt64());
        Assert.Equal(("2020-01-01", "2020-12-31"), (past.RootElement.GetProperty("from").GetString(), past.RootElement.GetProperty("to").GetString()));
    }

    [Fact]
    public async Task A_failing_store_is_503_in_each_wire_shape_and_no_call_runs_unaccounted()
    {
        await using var server = await TestServers.StartAsync(extraArgs: _store!.ServerArgs);
        var keys = server.Services.GetRequiredService<ApiKeyStore>();
        var (_, key) = await keys.CreateAsync("acme", [ApiKey.GatewayScope], budgetUsd: 5m, cancellationToken: Ct);
        using var http = TestServers.Http(server);
        await DropAsync(keys, "budget_spend");

        using var budgeted = await http.PostAsync("v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""", key);
        await DropAsync(keys, "usage_records");
        using var stats = await http.GetAsync("v1/stats", key);
        await DropAsync(keys, "api_keys");
        using var authenticated = await http.PostAsync("v1/messages", """{"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""", key, header: "x-api-key");

        await ErrorJson.AssertOpenAIAsync(budgeted, 503, "server_error", code: "upstream_unavailable");
        await ErrorJson.AssertOpenAIAsync(stats, 503, "server_error", code: "upstream_unavailable");
        var error = await ErrorJson.AssertAnthropicAsync(authenticated, 503, "api_error");
        Assert.Contains("store is unavailable", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, server.Emulator!.TotalRequestCount);
    }

    private static async Task DropAsync(ApiKeyStore keys, string table)
    {
        await using var connection = await keys.Database.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"DROP TABLE {table}";
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<JsonDocument> StatsAsync(HttpClient http, string key, string query)
    {
        using var response = await http.GetAsync("v1/stats" + query, key);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode == 200, text);
        return JsonDocument.Parse(text);
    }

    private static async Task<Usage> ChatAsync(HttpClient http, string key, string body, params (string, string)[] headers)
    {
        using var response = await http.PostAsync("v1/chat/completions", body, key, extraHeaders: headers);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode == 200, text);
        using var json = JsonDocument.Parse(text);
        var usage = json.RootElement.GetProperty("usage");
        return new Usage(usage.GetProperty("prompt_tokens").GetInt64(), usage.GetProperty("completion_tokens").GetInt64(), Cost(response));
    }

    private static async Task<Usage> MessagesAsync(HttpClient http, string key, string body)
    {
        using var response = await http.PostAsync("v1/messages", body, key, header: "x-api-key");
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode == 200, text);
        using var json = JsonDocument.Parse(text);
        var usage = json.RootElement.GetProperty("usage");
        return new Usage(usage.GetProperty("input_tokens").GetInt64(), usage.GetProperty("output_tokens").GetInt64(), Cost(response));
    }

    /// <summary>A stream's charge is its final usage chunk; its cost, the same price table the gateway uses.</summary>
    private static async Task<Usage> StreamAsync(HttpClient http, string key, string body)
    {
        using var response = await http.PostAsync("v1/chat/completions", body, key);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode == 200, text);
        var chunk = text.Split('\n').Single(l => l.Contains("\"choices\":[]", StringComparison.Ordinal))["data: ".Length..];
        using var json = JsonDocument.Parse(chunk);
        var usage = json.RootElement.GetProperty("usage");
        var (input, output) = (usage.GetProperty("prompt_tokens").GetInt64(), usage.GetProperty("completion_tokens").GetInt64());
        return new Usage(input, output, (input * 3m + output * 15m) / 1_000_000m); // claude-3.5-sonnet: $3 / $15 per million
    }

    private static decimal Cost(HttpResponseMessage response) =>
        decimal.Parse(Assert.Single(response.Headers.GetValues("x-companyos-cost-usd")), CultureInfo.InvariantCulture);

    private readonly record struct Usage(long Input, long Output, decimal Cost)
    {
        public static Usage operator +(Usage a, Usage b) => new(a.Input + b.Input, a.Output + b.Output, a.Cost + b.Cost);
    }
}

public sealed class SqliteStatsApiTests : StatsApiTests
{
    private protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

public sealed class PostgresStatsApiTests : StatsApiTests
{
    private protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync();
}
