using CompanyOs.Server.Keys;
using CompanyOs.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Server.Tests.Keys;

/// <summary>
/// The key look-up cache of <see cref="ApiKeyStore"/>: found records are reused for the TTL, so a revoke by another process
/// (the <c>keys revoke</c> command, another instance) takes effect at most one TTL later; a revoke through the same store
/// is immediate, and unknown keys are never cached (a fresh key works at once).
/// </summary>
public sealed class ApiKeyCacheTests : IAsyncDisposable
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);

    private readonly string _path = Path.Combine(Path.GetTempPath(), "companyos-server-tests", Guid.NewGuid().ToString("N") + ".db");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ServerStore _server;
    private readonly ServerStore _command;

    public ApiKeyCacheTests()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _server = ServerStore.Sqlite(_path, _time, Ttl);
        _command = ServerStore.Sqlite(_path, _time);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_inside_a_longer_text_is_found_by_its_span_from_the_store_and_then_from_the_cache()
    {
        // The /v1 filter looks the key up as a slice of its header: the hash formatted on the stack must find the record the
        // string look-up finds, on the store's answer and on the cache's.
        await _server.InitializeAsync(Ct);
        var (record, key) = await _command.Keys.CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);
        var header = "Bearer " + key + " ";

        var fromStore = await _server.Keys.FindAsync(header.AsSpan(7, key.Length), Ct);
        var fromCache = await _server.Keys.FindAsync(header.AsSpan(7, key.Length), Ct);
        var other = await _server.Keys.FindAsync(header.AsSpan(7, key.Length - 1), Ct);

        Assert.Equal((record.Id, record.Id), (fromStore?.Id, fromCache?.Id));
        Assert.Null(other);
    }

    [Fact]
    public async Task A_cached_key_is_found_without_allocating()
    {
        // Every /v1 request looks its key up: a hit must not pay for the miss path (its worker lambda's captures were allocated
        // on entry, hit or miss).
        await _server.InitializeAsync(Ct);
        var (record, key) = await _command.Keys.CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);
        await _server.Keys.FindAsync(key.AsSpan(), Ct); // from the store, into the cache

        var before = GC.GetAllocatedBytesForCurrentThread();
        var found = _server.Keys.FindAsync(key.AsSpan(), Ct);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(found.IsCompletedSuccessfully);
        Assert.Equal(record.Id, (await found)?.Id);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData("cos_short")]
    [InlineData("cos_ümlaut-€")]
    public void The_span_hash_is_the_string_hash_for_short_and_long_keys(string start)
    {
        var longKey = start + new string('x', 2_000); // past the stack buffer: hashed from a heap array
        Span<char> hash = stackalloc char[ApiKey.HashLength];
        foreach (var key in new[] { start, longKey })
        {
            ApiKey.Hash(key.AsSpan(), hash);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key))), new string(hash));
            Assert.Equal(new string(hash), ApiKey.Hash(key));
        }
    }

    [Fact]
    public async Task A_key_revoked_by_another_process_is_refused_once_the_ttl_has_passed()
    {
        await _server.InitializeAsync(Ct);
        var (record, key) = await _command.Keys.CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);
        Assert.Null((await _server.Keys.FindAsync(key, Ct))!.RevokedAt);

        Assert.True(await _command.Keys.RevokeAsync(record.Id, Ct));
        _time.Advance(Ttl - TimeSpan.FromSeconds(1));
        var withinTtl = await _server.Keys.FindAsync(key, Ct);
        _time.Advance(TimeSpan.FromSeconds(1));
        var afterTtl = await _server.Keys.FindAsync(key, Ct);

        Assert.Null(withinTtl!.RevokedAt); // the documented revocation delay: at most one TTL
        Assert.NotNull(afterTtl!.RevokedAt);
        Assert.False(afterTtl.Allows(ApiKey.GatewayScope));
    }

    [Fact]
    public async Task A_key_in_use_is_re_read_in_the_background_after_half_its_ttl_without_a_look_up_waiting_for_the_store()
    {
        await _server.InitializeAsync(Ct);
        var (record, key) = await _command.Keys.CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);
        Assert.Null((await _server.Keys.FindAsync(key, Ct))!.RevokedAt);
        Assert.True(await _command.Keys.RevokeAsync(record.Id, Ct));

        _time.Advance(Ttl / 2);
        var lookUp = _server.Keys.FindAsync(key, Ct);
        var answeredFromCache = lookUp.IsCompletedSuccessfully; // not by a store query
        var atHalfTtl = await lookUp;

        Assert.True(answeredFromCache);
        Assert.Null(atHalfTtl!.RevokedAt);
        // The clock stays inside the TTL: only the background re-read can bring the revocation in.
        await Poll.UntilAsync(async () => (await _server.Keys.FindAsync(key, Ct))!.RevokedAt is not null,
            "the background re-read caches the revoked record", cancellationToken: Ct);
    }

    [Fact]
    public async Task A_key_revoked_through_the_same_store_is_refused_at_once()
    {
        await _server.InitializeAsync(Ct);
        var (record, key) = await _server.Keys.CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);
        Assert.Null((await _server.Keys.FindAsync(key, Ct))!.RevokedAt);

        Assert.True(await _server.Keys.RevokeAsync(record.Id, Ct));

        Assert.NotNull((await _server.Keys.FindAsync(key, Ct))!.RevokedAt);
    }

    [Fact]
    public async Task An_unknown_key_is_not_cached_so_a_key_added_elsewhere_works_at_once()
    {
        await _server.InitializeAsync(Ct);
        const string key = "cos_added_by_another_process_0123456789";
        Assert.Null(await _server.Keys.FindAsync(key, Ct));

        // What another process's `keys create` writes (the key's value chosen here so it can be looked up before it exists).
        await using (var connection = await _command.Database.OpenAsync(Ct))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "INSERT INTO api_keys (id, key_hash, prefix, org, scopes, created_at) VALUES (@id, @hash, @prefix, 'acme', 'gateway', @created)";
            command.With("@id", "key_added").With("@hash", ApiKey.Hash(key)).With("@prefix", "cos_adde").With("@created", _time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            await command.ExecuteNonQueryAsync(Ct);
        }

        Assert.Equal("key_added", (await _server.Keys.FindAsync(key, Ct))?.Id);
    }

    [Fact]
    public async Task Without_a_ttl_every_look_up_reads_the_store()
    {
        await _command.InitializeAsync(Ct);
        var (record, key) = await _command.Keys.CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);
        await using var other = ServerStore.Sqlite(_path, _time);
        Assert.Null((await _command.Keys.FindAsync(key, Ct))!.RevokedAt);

        Assert.True(await other.Keys.RevokeAsync(record.Id, Ct));

        Assert.NotNull((await _command.Keys.FindAsync(key, Ct))!.RevokedAt);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _command.DisposeAsync();
    }
}
