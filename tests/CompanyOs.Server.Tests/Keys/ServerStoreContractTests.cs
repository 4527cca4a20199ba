using System.Globalization;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Server.Keys;
using CompanyOs.Server.Tests.Infrastructure;
using CompanyOs.Server.Usage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Server.Tests.Keys;

/// <summary>The server store's rules — keys, budget spend, usage log — run on SQLite and on PostgreSQL alike.</summary>
public abstract class ServerStoreContractTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private TestStore? _backend;
    private ServerStore? _store;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ServerStore Store => _store!;

    private protected abstract Task<TestStore> CreateBackendAsync();

    public async ValueTask InitializeAsync()
    {
        _backend = await CreateBackendAsync();
        _store = _backend.Open(_time);
        await _store.InitializeAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task The_readiness_probe_answers_once_the_store_is_initialized_and_fails_for_one_that_was_never_created()
    {
        await using var fresh = await CreateBackendAsync();
        await using var never = fresh.Open(_time);

        await Store.Database.ProbeAsync(Ct);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => never.Database.ProbeAsync(Ct));
    }

    [Fact]
    public async Task Keys_are_256_bit_cos_keys_and_only_their_hash_is_stored()
    {
        var (record, key) = await Store.Keys.CreateAsync("acme", [ApiKey.GatewayScope, "agents"], cancellationToken: Ct);
        var found = await Store.Keys.FindAsync(key, Ct);
        var stored = await AllTextAsync("api_keys");

        Assert.StartsWith("cos_", key, StringComparison.Ordinal);
        Assert.Equal(4 + 43, key.Length); // 32 random bytes, base64url without padding
        Assert.Equal((record.Id, record.Org, record.Prefix, record.CreatedAt), (found!.Id, found.Org, found.Prefix, found.CreatedAt));
        Assert.Equal(["gateway", "agents"], found.Scopes);
        Assert.DoesNotContain(key, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(key[4..20], stored, StringComparison.Ordinal);
        Assert.Contains(ApiKey.Hash(key), stored, StringComparison.Ordinal);
        Assert.Null(await Store.Keys.FindAsync(key + "x", Ct));
    }

    [Fact]
    public async Task Models_rpm_and_budget_are_stored_with_the_key_and_survive_a_new_store()
    {
        var (record, key) = await Store.Keys.CreateAsync("acme", [ApiKey.GatewayScope], ["gpt-4o", "fast"], rpm: 30, budgetUsd: 12.345678m, cancellationToken: Ct);
        var (plain, _) = await Store.Keys.CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);
        await using var reopened = _backend!.Open(_time);

        var found = await reopened.Keys.FindAsync(key, Ct);
        var listed = await reopened.Keys.ListAsync(Ct);

        Assert.Equal(["gpt-4o", "fast"], found!.Models);
        Assert.Equal(30, found.Rpm);
        Assert.Equal(12.345678m, found.BudgetUsd);
        Assert.Equal(new[] { record.Id, plain.Id }.Order(StringComparer.Ordinal), listed.Select(k => k.Id).Order(StringComparer.Ordinal));
        Assert.Null(listed.Single(k => k.Id == plain.Id).BudgetUsd);
        Assert.Null(listed.Single(k => k.Id == plain.Id).Models);
    }

    [Fact]
    public async Task Revoking_marks_the_key_and_a_second_revoke_reports_nothing_to_do()
    {
        var (record, key) = await Store.Keys.CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.True(await Store.Keys.RevokeAsync(record.Id, Ct));
        Assert.False(await Store.Keys.RevokeAsync(record.Id, Ct));
        Assert.False(await Store.Keys.RevokeAsync("key_unknown", Ct));
        var found = await Store.Keys.FindAsync(key, Ct);
        Assert.Equal(_time.GetUtcNow(), found!.RevokedAt);
        Assert.False(found.Allows(ApiKey.GatewayScope));
    }

    [Theory]
    [InlineData("root", null, null, "scopes")]
    [InlineData("", null, null, "scopes")]
    [InlineData("gateway", 0, null, "rpm")]
    [InlineData("gateway", null, "0", "budgetUsd")]
    [InlineData("gateway", null, "-1", "budgetUsd")]
    [InlineData("gateway", null, "1000000000.01", "budgetUsd")]
    public async Task Unusable_key_settings_are_refused_naming_the_setting_and_nothing_is_stored(string scope, int? rpm, string? budget, string param)
    {
        decimal? budgetUsd = budget is null ? null : decimal.Parse(budget, CultureInfo.InvariantCulture);

        var e = await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            Store.Keys.CreateAsync("acme", scope.Length == 0 ? [] : [scope], rpm: rpm, budgetUsd: budgetUsd, cancellationToken: Ct));

        Assert.Equal(param, e.ParamName);
        Assert.Empty(await Store.Keys.ListAsync(Ct));
    }

    [Fact]
    public async Task Spend_adds_up_per_scope_exactly_and_survives_a_new_store()
    {
        var key = new BudgetScope(BudgetScopeKind.ApiKey, "key_1");
        var org = new BudgetScope(BudgetScopeKind.Org, "acme");
        var other = new BudgetScope(BudgetScopeKind.ApiKey, "key_2");

        await Store.Spend.AddAsync([key, org], new SpendAmount(0.000123456m, 100), Ct);
        await Store.Spend.AddAsync([key], new SpendAmount(0.1m, 5), Ct);
        await using var reopened = _backend!.Open(_time);
        var spent = await reopened.Spend.GetAsync([key, org, other], Ct);

        Assert.Equal(new SpendAmount(0.100123456m, 105), spent[0]);
        Assert.Equal(new SpendAmount(0.000123456m, 100), spent[1]);
        Assert.Equal(default, spent[2]);
    }

    [Fact]
    public async Task The_durable_spend_store_refuses_what_would_pass_a_limit_counting_settled_and_reserved_spend()
    {
        var check = new BudgetCheck(new BudgetScope(BudgetScopeKind.ApiKey, "key_1"), new BudgetLimit(MaxUsd: 1m));
        ReservationResult whileReserved;
        await using (var spend = new DurableSpendStore(Store.Spend, NullLogger<DurableSpendStore>.Instance, _time))
        {
            Assert.True((await spend.TryReserveAsync([check], new SpendAmount(0.6m, 10), Ct)).Granted);
            whileReserved = await spend.TryReserveAsync([check], new SpendAmount(0.6m, 10), Ct);
            await spend.SettleAsync([check], new SpendAmount(0.6m, 10), new SpendAmount(0.25m, 4), Ct);
            Assert.True((await spend.TryReserveAsync([check], new SpendAmount(0.7m, 10), Ct)).Granted);
            await spend.SettleAsync([check], new SpendAmount(0.7m, 10), new SpendAmount(0.7m, 10), Ct);
        } // a graceful stop writes what was settled

        await using var restarted = new DurableSpendStore(_backend!.Open(_time).Spend, NullLogger<DurableSpendStore>.Instance, _time);
        var afterRestart = await restarted.TryReserveAsync([check], new SpendAmount(0.1m, 1), Ct);

        Assert.False(whileReserved.Granted);
        Assert.Equal(new SpendAmount(0.6m, 10), whileReserved.Committed);
        Assert.False(afterRestart.Granted);
        Assert.Equal(new SpendAmount(0.95m, 14), afterRestart.Committed);
        Assert.Equal(new SpendAmount(0.95m, 14), await restarted.GetSpentAsync(check.Scope, Ct));
    }

    [Fact]
    public async Task Settled_spend_counts_at_once_is_written_without_the_call_waiting_and_another_instance_sees_it_after_a_refresh()
    {
        var check = new BudgetCheck(new BudgetScope(BudgetScopeKind.ApiKey, "key_2"), new BudgetLimit(MaxUsd: 1m));
        await using var first = new DurableSpendStore(Store.Spend, NullLogger<DurableSpendStore>.Instance, _time);
        await using var second = new DurableSpendStore(_backend!.Open(_time).Spend, NullLogger<DurableSpendStore>.Instance, _time);
        Assert.True((await second.TryReserveAsync([check], new SpendAmount(0.1m, 1), Ct)).Granted); // reads the ledger: nothing spent
        await second.SettleAsync([check], new SpendAmount(0.1m, 1), default, Ct);

        Assert.True((await first.TryReserveAsync([check], new SpendAmount(0.9m, 1), Ct)).Granted);
        await first.SettleAsync([check], new SpendAmount(0.9m, 1), new SpendAmount(0.9m, 1), Ct);
        var atOnce = await first.TryReserveAsync([check], new SpendAmount(0.2m, 1), Ct);
        await first.FlushAsync(Ct);
        var stored = (await Store.Spend.GetAsync([check.Scope], Ct))[0];
        var beforeRefresh = await second.TryReserveAsync([check], new SpendAmount(0.2m, 1), Ct);
        await second.SettleAsync([check], new SpendAmount(0.2m, 1), default, Ct);
        _time.Advance(DurableSpendStore.WaitAfter); // sparse traffic: the call reads the ledger itself
        var afterRefresh = await second.TryReserveAsync([check], new SpendAmount(0.2m, 1), Ct);

        Assert.False(atOnce.Granted); // this process's settlement counts before it is written
        Assert.Equal(new SpendAmount(0.9m, 1), atOnce.Committed);
        Assert.Equal(new SpendAmount(0.9m, 1), stored);
        Assert.True(beforeRefresh.Granted); // the other instance read the ledger less than RefreshAfter ago
        Assert.False(afterRefresh.Granted);
        Assert.Equal(new SpendAmount(0.9m, 1), afterRefresh.Committed);
    }

    [Fact]
    public async Task Usage_is_summed_per_org_and_day_and_never_shows_another_org()
    {
        var day1 = new DateTimeOffset(2026, 3, 1, 23, 59, 0, TimeSpan.Zero);
        var day2 = new DateTimeOffset(2026, 3, 2, 0, 1, 0, TimeSpan.Zero);
        await Store.Usage.AppendAsync(
        [
            new UsageRecord("acme", "key_a", "openai", "gpt-4o", null, 10, 5, 0.0001m, true, day1),
            new UsageRecord("acme", "key_a", "openai", "gpt-4o", null, 20, 7, 0.0002m, true, day1),
            new UsageRecord("acme", "key_a", "openai", "gpt-4o", "researcher", 1, 1, null, true, day2),
            new UsageRecord("beta", "key_b", "openai", "gpt-4o", null, 1000, 1000, 9m, false, day1),
        ], Ct);

        var acme = await Store.Usage.SummarizeAsync("acme", null, null, Ct);
        var second = await Store.Usage.SummarizeAsync("acme", new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 2), Ct);
        var none = await Store.Usage.SummarizeAsync("nobody", null, null, Ct);

        var first = Assert.Single(acme, r => r.Day == "2026-03-01");
        Assert.Equal(("openai", "gpt-4o", (string?)null, "key_a", 2L, 30L, 12L, 0.0003m, 0L),
            (first.Provider, first.Model, first.Agent, first.KeyId, first.Calls, first.InputTokens, first.OutputTokens, first.CostUsd, first.UnpricedCalls));
        var unpriced = Assert.Single(second);
        Assert.Equal(("researcher", 1L, 0m, 1L), (unpriced.Agent, unpriced.Calls, unpriced.CostUsd, unpriced.UnpricedCalls));
        Assert.Equal(2, acme.Count);
        Assert.DoesNotContain(acme, r => r.KeyId == "key_b");
        Assert.Empty(none);
    }

    [Fact]
    public async Task Each_usage_record_of_a_batch_is_stored_with_its_own_values_and_nulls()
    {
        // One command writes the whole batch with its parameters reset per row: a null after a value (and a value after a
        // null) must reach its own row, never the previous row's value.
        var at = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
        await Store.Usage.AppendAsync(
        [
            new UsageRecord("acme", "key_a", "openai", "gpt-4o", "writer", 10, 5, 0.5m, true, at),
            new UsageRecord("acme", null, "anthropic", "claude", null, 20, 7, null, false, at.AddSeconds(1)),
            new UsageRecord("beta", "key_b", "openai", "gpt-4o-mini", "reader", 30, 9, 0.25m, false, at.AddDays(1)),
        ], Ct);

        await using var connection = await Store.Database.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT org, key_id, provider, model, agent, input_tokens, output_tokens, cost_nanos, emulated, day FROM usage_records ORDER BY input_tokens";
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        Assert.Equal(
        [
            "acme|key_a|openai|gpt-4o|writer|10|5|500000000|1|2026-03-01",
            "acme|null|anthropic|claude|null|20|7|null|0|2026-03-01",
            "beta|key_b|openai|gpt-4o-mini|reader|30|9|250000000|0|2026-03-02",
        ], rows);
    }

    [Fact]
    public async Task Usage_text_keeps_every_character_and_the_time_round_trips()
    {
        // SQLite binds the text as UTF-16 spans straight from the record (no UTF-8 copy of its own): non-ASCII text and the
        // round-trip time must arrive exactly.
        var at = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero).AddTicks(1234567);
        await Store.Usage.AppendAsync([new UsageRecord("acmé-日本", "key_ü", "openai", "gpt-4o-ß", "agent-€😀", 1, 2, 0.000000001m, false, at)], Ct);

        await using var connection = await Store.Database.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT org, key_id, model, agent, cost_nanos, at, day FROM usage_records";
        await using var reader = await command.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal(("acmé-日本", "key_ü", "gpt-4o-ß", "agent-€😀", 1L, "2026-03-01T10:00:00.1234567Z", "2026-03-01"),
            (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), Convert.ToInt64(reader.GetValue(4), CultureInfo.InvariantCulture),
             reader.GetString(5), reader.GetString(6)));
        Assert.False(await reader.ReadAsync(Ct));
    }

    [Fact]
    public async Task A_usage_batch_with_a_record_the_store_refuses_fails_and_stores_none_of_it()
    {
        var at = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => Store.Usage.AppendAsync(
        [
            new UsageRecord("acme", "key_a", "openai", "gpt-4o", null, 10, 5, 0.5m, false, at),
            new UsageRecord("acme", "key_a", null!, "gpt-4o", null, 20, 5, 0.5m, false, at), // provider is NOT NULL
        ], Ct));

        Assert.Empty(await Store.Usage.SummarizeAsync("acme", null, null, Ct));
        await Store.Usage.AppendAsync([new UsageRecord("acme", "key_a", "openai", "gpt-4o", null, 30, 5, 0.5m, false, at)], Ct);
        Assert.Equal(30L, Assert.Single(await Store.Usage.SummarizeAsync("acme", null, null, Ct)).InputTokens);
    }

    [Fact]
    public async Task A_key_database_made_before_budgets_gets_the_budget_column_and_keeps_its_keys()
    {
        await using (var connection = await Store.Database.OpenAsync(Ct))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "DROP TABLE api_keys; CREATE TABLE api_keys (id TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL, org TEXT NOT NULL, scopes TEXT NOT NULL, models TEXT NULL, rpm INTEGER NULL, created_at TEXT NOT NULL, revoked_at TEXT NULL); "
                + "INSERT INTO api_keys (id, key_hash, prefix, org, scopes, created_at) VALUES ('key_old', 'abc', 'cos_old…', 'acme', 'gateway', '2025-01-01T00:00:00.0000000+00:00')";
            await command.ExecuteNonQueryAsync(Ct);
        }

        await Store.InitializeAsync(Ct);
        var (_, key) = await Store.Keys.CreateAsync("acme", [ApiKey.GatewayScope], budgetUsd: 5m, cancellationToken: Ct);

        Assert.Equal(["key_old"], (await Store.Keys.ListAsync(Ct)).Where(k => k.BudgetUsd is null).Select(k => k.Id));
        Assert.Equal(5m, (await Store.Keys.FindAsync(key, Ct))!.BudgetUsd);
    }

    [Fact]
    public async Task Instances_starting_together_over_one_store_all_initialise_it()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => _backend!.Open(_time)).ToList();
        try
        {
            await using (var connection = await Store.Database.OpenAsync(Ct))
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "DROP TABLE api_keys; DROP TABLE budget_spend; DROP TABLE usage_records";
                await command.ExecuteNonQueryAsync(Ct);
            }

            await Task.WhenAll(stores.Select(s => Task.Run(() => s.InitializeAsync(Ct), Ct)));

            var (_, key) = await stores[0].Keys.CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);
            Assert.NotNull(await stores[^1].Keys.FindAsync(key, Ct));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    private async Task<string> AllTextAsync(string table)
    {
        await using var connection = await Store.Database.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {table}";
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var text = new System.Text.StringBuilder();
        while (await reader.ReadAsync(Ct))
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                text.Append(reader.GetValue(i)).Append('|');
            }
        }

        return text.ToString();
    }
}

public sealed class SqliteServerStoreTests : ServerStoreContractTests
{
    private protected override Task<TestStore> CreateBackendAsync() => Task.FromResult(TestStore.Sqlite());
}

public sealed class PostgresServerStoreTests : ServerStoreContractTests
{
    private protected override Task<TestStore> CreateBackendAsync() => TestStore.PostgresAsync();
}
