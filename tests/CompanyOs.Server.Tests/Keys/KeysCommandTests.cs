using CompanyOs.Server.Keys;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Keys;

/// <summary><c>keys create|list|revoke</c>: the key shown once, and bad arguments refused with a clear error and exit code.</summary>
public sealed class KeysCommandTests : IAsyncLifetime
{
    private readonly TestStore _store = TestStore.Sqlite();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Keys_command_shows_the_key_once_and_lists_only_its_prefix()
    {
        var created = await RunAsync(0, "create", "--org", "acme", "--scopes", "gateway,admin", "--budget-usd", "12.50");
        var listed = await RunAsync(0, "list");
        var key = created.Output.Split("store it now): ")[1].Trim();
        var id = created.Output.Split(' ')[1];

        Assert.StartsWith("cos_", key, StringComparison.Ordinal);
        Assert.Contains("budget $12.50", created.Output, StringComparison.Ordinal);
        Assert.Contains($"{id}  {key[..10]}…  org=acme  scopes=gateway,admin  models=(all)  rpm=-  budget=$12.5  spent=$0  active", listed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listed.Output, StringComparison.Ordinal);
        Assert.Equal($"revoked {id}", (await RunAsync(0, "revoke", id)).Output.Trim());
        Assert.Contains($"no active key with id '{id}'", (await RunAsync(KeysCommand.NotFound, "revoke", id)).Error, StringComparison.Ordinal);
        Assert.Contains("revoked 20", (await RunAsync(0, "list")).Output, StringComparison.Ordinal);

        var limited = await RunAsync(0, "create", "--org", "beta", "--models", "gpt-4o, fast", "--rpm", "30");
        await using var store = _store.Open(TimeProvider.System);
        var found = await store.Keys.FindAsync(limited.Output.Split("store it now): ")[1].Trim(), Ct);
        Assert.Equal(["gpt-4o", "fast"], found!.Models);
        Assert.Equal(30, found.Rpm);
        Assert.Null(found.BudgetUsd);
    }

    [Theory]
    [InlineData("no command", new string[0], "missing command")]
    [InlineData("unknown command", new[] { "rotate" }, "unknown command 'rotate'")]
    [InlineData("no org", new[] { "create" }, "--org ORG is required")]
    [InlineData("rpm zero", new[] { "create", "--org", "acme", "--rpm", "0" }, "--rpm must be a whole number of at least 1, got '0'")]
    [InlineData("rpm not a number", new[] { "create", "--org", "acme", "--rpm", "lots" }, "--rpm must be a whole number of at least 1, got 'lots'")]
    [InlineData("budget zero", new[] { "create", "--org", "acme", "--budget-usd", "0" }, "--budget-usd must be an amount of US dollars above 0")]
    [InlineData("budget negative", new[] { "create", "--org", "acme", "--budget-usd", "-5" }, "got '-5'")]
    [InlineData("budget with exponent", new[] { "create", "--org", "acme", "--budget-usd", "1e3" }, "got '1e3'")]
    [InlineData("budget with currency sign", new[] { "create", "--org", "acme", "--budget-usd", "$5" }, "got '$5'")]
    [InlineData("budget with comma decimal", new[] { "create", "--org", "acme", "--budget-usd", "2,50" }, "got '2,50'")]
    [InlineData("budget too large", new[] { "create", "--org", "acme", "--budget-usd", "2000000000" }, "at most 1000000000")]
    [InlineData("unknown scope", new[] { "create", "--org", "acme", "--scopes", "gateway,root" }, "--scopes: Scopes must be some of gateway, agents, admin; got 'gateway,root'")]
    [InlineData("empty models", new[] { "create", "--org", "acme", "--models", "," }, "--models: Models must be a non-empty list")]
    [InlineData("blank org", new[] { "create", "--org", " " }, "--org: The org must be a non-empty name")]
    [InlineData("unknown option", new[] { "create", "--org", "acme", "--colour", "red" }, "unknown option '--colour'")]
    [InlineData("budget option on list", new[] { "list", "--budget-usd", "5" }, "keys list: unknown option '--budget-usd'")]
    [InlineData("option without value", new[] { "create", "--org" }, "--org needs a value")]
    [InlineData("option followed by option", new[] { "create", "--org", "--rpm", "5" }, "--org needs a value")]
    [InlineData("option twice", new[] { "create", "--org", "a", "--org", "b" }, "--org is given twice")]
    [InlineData("stray argument", new[] { "create", "acme" }, "unexpected argument 'acme'")]
    [InlineData("revoke without id", new[] { "revoke" }, "missing the key id")]
    [InlineData("unknown store kind", new[] { "list", "--keys-store", "mysql" }, "--keys-store must be 'sqlite' or 'postgres', got 'mysql'")]
    public async Task Bad_arguments_exit_64_with_a_clear_error_and_create_nothing(string description, string[] args, string message)
    {
        var result = await RunAsync(KeysCommand.Usage, args);

        Assert.True(result.Error.Contains(message, StringComparison.Ordinal), $"{description}: {result.Error}");
        Assert.Contains("usage: keys create", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
        Assert.Empty((await RunAsync(0, "list")).Output);
    }

    [Fact]
    public async Task Without_a_store_the_command_says_where_keys_can_be_kept()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await KeysCommand.RunAsync(["keys", "list"], output, error, Ct);

        Assert.Equal(KeysCommand.Usage, code);
        Assert.Contains("--keys-db FILE, --server-config FILE or --keys-store postgres --keys-connection-env VAR", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres without a variable name", new[] { "--keys-store", "postgres" }, "keys_connection_string_env")]
    [InlineData("variable not set", new[] { "--keys-store", "postgres", "--keys-connection-env", "COMPANYOS_KEYS_TEST_NEVER_SET" }, "environment variable 'COMPANYOS_KEYS_TEST_NEVER_SET' is not set")]
    [InlineData("sqlite file in a missing directory", new[] { "--keys-db", "/nonexistent-companyos-dir/sub/keys.db" }, "cannot open the key store (SQLite file '/nonexistent-companyos-dir/sub/keys.db')")]
    public async Task An_unusable_store_exits_2_naming_it(string description, string[] storeArgs, string message)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await KeysCommand.RunAsync(["keys", "list", .. storeArgs], output, error, Ct);

        Assert.True(code == KeysCommand.StoreUnavailable, $"{description}: {code} {error}");
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_store_can_come_from_the_server_yaml()
    {
        var dir = Path.Combine(Path.GetTempPath(), "companyos-server-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var db = Path.Combine(dir, "keys.db");
        var yaml = Path.Combine(dir, "server.yaml");
        await File.WriteAllTextAsync(yaml, $"keys_database: {db}\n", Ct);
        using var output = new StringWriter();
        using var error = new StringWriter();

        Assert.Equal(0, await KeysCommand.RunAsync(["keys", "create", "--org", "acme", "--server-config", yaml], output, error, Ct));
        await using var store = ServerStore.Sqlite(db, TimeProvider.System);
        Assert.Single(await store.Keys.ListAsync(Ct));
        Assert.Equal(KeysCommand.Usage, await KeysCommand.RunAsync(["keys", "list", "--server-config", Path.Combine(dir, "missing.yaml")], output, error, Ct));
    }

    private async Task<(string Output, string Error)> RunAsync(int expectedCode, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await KeysCommand.RunAsync(["keys", .. args, .. args is ["list" or "create" or "revoke", ..] ? _store.CommandArgs : []], output, error, Ct);
        Assert.True(code == expectedCode, $"keys {string.Join(' ', args)}: expected exit {expectedCode}, got {code}: {error}");
        return (output.ToString(), error.ToString());
    }
}
