using System.Text;
using CompanyOs.Server.Keys;

namespace CompanyOs.Server.Tests.Keys;

public sealed class ApiKeyStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Keys_are_256_bit_cos_keys_and_only_their_hash_is_stored()
    {
        var db = TempDb();
        var store = new SqliteApiKeyStore(db, TimeProvider.System);
        await store.InitializeAsync(Ct);

        var (record, key) = await store.CreateAsync("acme", [ApiKey.GatewayScope, "agents"], cancellationToken: Ct);
        var found = await store.FindAsync(key, Ct);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var file = Encoding.ASCII.GetString(await File.ReadAllBytesAsync(db, Ct));

        Assert.StartsWith("cos_", key, StringComparison.Ordinal);
        Assert.Equal(4 + 43, key.Length); // 32 random bytes, base64url without padding
        Assert.Equal((record.Id, record.Org, record.Prefix, record.CreatedAt), (found!.Id, found.Org, found.Prefix, found.CreatedAt));
        Assert.Equal(["gateway", "agents"], found.Scopes);
        Assert.DoesNotContain(key, file, StringComparison.Ordinal);
        Assert.DoesNotContain(key[4..20], file, StringComparison.Ordinal);
        Assert.Contains(ApiKey.Hash(key), file, StringComparison.Ordinal);
        Assert.Null(await store.FindAsync(key + "x", Ct));
    }

    [Fact]
    public async Task Revoking_marks_the_key_and_a_second_revoke_reports_nothing_to_do()
    {
        var store = new SqliteApiKeyStore(TempDb(), TimeProvider.System);
        await store.InitializeAsync(Ct);
        var (record, key) = await store.CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);

        Assert.True(await store.RevokeAsync(record.Id, Ct));
        Assert.False(await store.RevokeAsync(record.Id, Ct));
        var found = await store.FindAsync(key, Ct);
        Assert.NotNull(found!.RevokedAt);
        Assert.False(found.Allows(ApiKey.GatewayScope));
    }

    [Theory]
    [InlineData("root")]
    [InlineData("")]
    public async Task Unknown_or_no_scopes_are_refused(string scope)
    {
        var store = new SqliteApiKeyStore(TempDb(), TimeProvider.System);
        await store.InitializeAsync(Ct);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync("acme", scope.Length == 0 ? [] : [scope], cancellationToken: Ct));

        Assert.Contains("gateway, agents, admin", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_command_shows_the_key_once_and_lists_only_its_prefix()
    {
        var db = TempDb();
        using var created = new StringWriter();
        using var listed = new StringWriter();
        using var errors = new StringWriter();

        Assert.Equal(0, await KeysCommand.RunAsync(["keys", "create", "--org", "acme", "--scopes", "gateway,admin", "--keys-db", db], created, errors, Ct));
        Assert.Equal(0, await KeysCommand.RunAsync(["keys", "list", "--keys-db", db], listed, errors, Ct));
        var key = created.ToString().Split("store it now): ")[1].Trim();
        var id = created.ToString().Split(' ')[1];

        Assert.StartsWith("cos_", key, StringComparison.Ordinal);
        Assert.Contains($"{id}  {key[..10]}…  org=acme  scopes=gateway,admin  models=(all)  rpm=-  active", listed.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(key, listed.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await KeysCommand.RunAsync(["keys", "revoke", id, "--keys-db", db], created, errors, Ct));
        Assert.Equal(1, await KeysCommand.RunAsync(["keys", "revoke", id, "--keys-db", db], created, errors, Ct));
        Assert.Equal(KeysCommand.Usage, await KeysCommand.RunAsync(["keys", "create", "--keys-db", db], created, errors, Ct));
        using var limited = new StringWriter();
        Assert.Equal(0, await KeysCommand.RunAsync(["keys", "create", "--org", "beta", "--models", "gpt-4o, fast", "--rpm", "30", "--keys-db", db], limited, errors, Ct));
        Assert.Equal(KeysCommand.Usage, await KeysCommand.RunAsync(["keys", "create", "--org", "beta", "--rpm", "0", "--keys-db", db], limited, errors, Ct));
        Assert.Equal(KeysCommand.Usage, await KeysCommand.RunAsync(["keys", "create", "--org", "beta", "--rpm", "lots", "--keys-db", db], limited, errors, Ct));
        var found = await new SqliteApiKeyStore(db, TimeProvider.System).FindAsync(limited.ToString().Split("store it now): ")[1].Trim(), Ct);
        Assert.Equal(["gpt-4o", "fast"], found!.Models);
        Assert.Equal(30, found.Rpm);
    }

    private static string TempDb()
    {
        var dir = Path.Combine(Path.GetTempPath(), "companyos-server-tests");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, Guid.NewGuid().ToString("N") + ".db");
    }
}
