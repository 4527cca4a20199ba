using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;

namespace CompanyOs.Server.Keys;

/// <summary>
/// API keys per organisation (table <c>api_keys</c>) in the server's store; only SHA-256 hashes are stored.
/// <see cref="FindAsync(string, CancellationToken)"/> keeps found records for <paramref name="cacheTtl"/> (bounded to <see cref="MaxCachedKeys"/>
/// entries) so the <c>/v1</c> hot path does not query the store on every request: a key revoked by another process (the
/// <c>keys revoke</c> command, another instance) is refused at most that long later; a revoke through this instance
/// takes effect at once. Unknown keys are never cached, so a freshly created key works at once. A record used after half
/// its TTL is re-read by one background look-up while calls go on with it, so that a key in steady use never expires in
/// the cache: before, every call in flight on the key when its record expired queried the store itself (issue 17).
/// </summary>
/// <param name="database">The store.</param>
/// <param name="time">The clock for creation and revocation times and for the cache's expiry.</param>
/// <param name="cacheTtl">How long a found record is reused; <see cref="TimeSpan.Zero"/>: every look-up queries the store.</param>
internal sealed class ApiKeyStore(StoreDatabase database, TimeProvider time, TimeSpan cacheTtl = default)
{
    /// <summary>The most a key's budget may be: far above any real budget, well inside the store's nano-dollar BIGINT.</summary>
    public const decimal MaxBudgetUsd = 1_000_000_000m;

    /// <summary>The most key records the look-up cache holds; when full, it is cleared (the store answers again).</summary>
    public const int MaxCachedKeys = 10_000;

    // The cache by key hash, also searchable by a hash still on the stack (see FindAsync).
    private readonly ConcurrentDictionary<string, CachedKey>.AlternateLookup<ReadOnlySpan<char>> _cachedByHash =
        new ConcurrentDictionary<string, CachedKey>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    private readonly ConcurrentDictionary<string, bool> _refreshing = new(StringComparer.Ordinal);

    // Bumped by every revoke through this store: a look-up that started before one does not cache what it read.
    private long _revocations;

    private const string Columns = "id, org, scopes, prefix, created_at, revoked_at, models, rpm, budget_nanos";

    public StoreDatabase Database => database;

    private ConcurrentDictionary<string, CachedKey> Cache => _cachedByHash.Dictionary;

    /// <summary>Creates a key for <paramref name="org"/>; the returned key is the only time it is ever visible.</summary>
    /// <exception cref="ArgumentException">An argument is not usable; the message names it and says why.</exception>
    public async Task<(ApiKeyRecord Record, string Key)> CreateAsync(
        string org, IReadOnlyList<string> scopes, IReadOnlyList<string>? models = null, int? rpm = null, decimal? budgetUsd = null,
        CancellationToken cancellationToken = default)
    {
        Validate(org, scopes, models, rpm, budgetUsd);
        var key = ApiKey.Generate();
        var record = new ApiKeyRecord(ApiKey.NewId(), org, scopes, ApiKey.Visible(key), time.GetUtcNow(), null)
        {
            Models = models,
            Rpm = rpm,
            BudgetUsd = budgetUsd,
        };
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO api_keys (id, key_hash, prefix, org, scopes, models, rpm, budget_nanos, created_at)
            VALUES (@id, @hash, @prefix, @org, @scopes, @models, @rpm, @budget, @created)
            """;
        command.With("@id", record.Id).With("@hash", ApiKey.Hash(key)).With("@prefix", record.Prefix).With("@org", org)
            .With("@scopes", string.Join(',', scopes)).With("@models", models is null ? null : string.Join(',', models))
            .With("@rpm", rpm).With("@budget", budgetUsd is { } usd ? StoreDatabase.ToNanos(usd) : null)
            .With("@created", Text(record.CreatedAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
        return (record, key);
    }

    /// <summary>The record of <paramref name="key"/> (revoked ones included, so callers can say so), or null.</summary>
    public ValueTask<ApiKeyRecord?> FindAsync(string key, CancellationToken cancellationToken = default) =>
        FindAsync(key.AsSpan(), cancellationToken);

    /// <summary>
    /// <see cref="FindAsync(string, CancellationToken)"/> for a key still inside its header: a cached key is found by its hash
    /// formatted on the stack (the cache's span look-up), so the hot path allocates neither the key nor its hash.
    /// </summary>
    public ValueTask<ApiKeyRecord?> FindAsync(ReadOnlySpan<char> key, CancellationToken cancellationToken = default)
    {
        Span<char> hashed = stackalloc char[ApiKey.HashLength];
        ApiKey.Hash(key, hashed);
        if (cacheTtl > TimeSpan.Zero && _cachedByHash.TryGetValue(hashed, out var hash, out var cached))
        {
            var now = time.GetTimestamp();
            if (now < cached.ExpiresAt)
            {
                if (now >= cached.RefreshAt)
                {
                    RefreshInBackground(hash);
                }

                return ValueTask.FromResult<ApiKeyRecord?>(cached.Record);
            }

            Cache.TryRemove(new KeyValuePair<string, CachedKey>(hash, cached));
        }

        return FindOnWorker(new string(hashed), cancellationToken);
    }

    /// <summary>
    /// On a thread-pool worker: SQLite's client does its I/O synchronously (and sleeps 150 ms on a busy database), which must
    /// not hold the socket thread that runs the request when socket completions run inline (an operator's setting) and
    /// serves other connections. (A method of its own: the lambda's captures would otherwise be allocated on entry to
    /// <see cref="FindAsync(ReadOnlySpan{char}, CancellationToken)"/>, on every cache hit too.)
    /// </summary>
    private ValueTask<ApiKeyRecord?> FindOnWorker(string hash, CancellationToken cancellationToken) =>
        new(Task.Run(() => FindInStoreAsync(hash, cancellationToken), cancellationToken));

    /// <summary>Re-reads the record of <paramref name="hash"/> on a thread-pool worker unless that runs already; the cache gets the answer.</summary>
    private void RefreshInBackground(string hash)
    {
        if (!_refreshing.TryAdd(hash, true))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                if (await FindInStoreAsync(hash, CancellationToken.None) is null)
                {
                    Cache.TryRemove(hash, out _); // deleted meanwhile: the next look-up asks the store
                }
            }
            catch (DbException)
            {
                // The cached record stays until it expires; then a look-up queries the store itself (and fails visibly).
            }
            finally
            {
                _refreshing.TryRemove(hash, out _);
            }
        });
    }

    private async Task<ApiKeyRecord?> FindInStoreAsync(string hash, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var revocations = Interlocked.Read(ref _revocations);
        ApiKeyRecord? record;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {Columns} FROM api_keys WHERE key_hash = @hash";
            command.With("@hash", hash);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            record = await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
        }

        if (record is not null && cacheTtl > TimeSpan.Zero && Interlocked.Read(ref _revocations) == revocations)
        {
            if (Cache.Count >= MaxCachedKeys)
            {
                Cache.Clear();
            }

            // Expiry counts from before the query: the record is never older than the TTL when used.
            var ttl = (long)(cacheTtl.TotalSeconds * time.TimestampFrequency);
            Cache[hash] = new CachedKey(record, started + ttl, started + ttl / 2);
        }

        return record;
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM api_keys ORDER BY org, created_at, id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var records = new List<ApiKeyRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(Read(reader));
        }

        return records;
    }

    /// <summary>Revokes the key with <paramref name="id"/>; false when there is no such (unrevoked) key.</summary>
    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE api_keys SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL";
        command.With("@id", id).With("@now", Text(time.GetUtcNow()));
        var revoked = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        Forget(id);
        return revoked;
    }

    /// <summary>Drops the cached record of the key with <paramref name="id"/>, so its next look-up reads the store.</summary>
    private void Forget(string id)
    {
        Interlocked.Increment(ref _revocations);
        foreach (var entry in Cache)
        {
            if (entry.Value.Record.Id == id)
            {
                Cache.TryRemove(entry);
            }
        }
    }

    /// <exception cref="ArgumentException">An argument is not usable.</exception>
    private static void Validate(string org, IReadOnlyList<string> scopes, IReadOnlyList<string>? models, int? rpm, decimal? budgetUsd)
    {
        if (string.IsNullOrWhiteSpace(org) || org.Any(char.IsControl))
        {
            throw new ArgumentException("The org must be a non-empty name without control characters.", nameof(org));
        }

        var unknown = scopes.Except(ApiKey.KnownScopes, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0 || scopes.Count == 0)
        {
            throw new ArgumentException($"Scopes must be some of {string.Join(", ", ApiKey.KnownScopes)}; got '{string.Join(",", scopes)}'.", nameof(scopes));
        }

        if (models is { Count: 0 } || models?.Any(m => string.IsNullOrWhiteSpace(m) || m.Contains(',', StringComparison.Ordinal)) == true)
        {
            throw new ArgumentException("Models must be a non-empty list of model names (or null for every model).", nameof(models));
        }

        if (rpm is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rpm), rpm, "Requests per minute must be at least 1 (or null for no limit).");
        }

        if (budgetUsd is <= 0 or > MaxBudgetUsd)
        {
            throw new ArgumentOutOfRangeException(nameof(budgetUsd), budgetUsd,
                $"The budget must be more than 0 and at most {MaxBudgetUsd.ToString(CultureInfo.InvariantCulture)} USD (or null for none).");
        }
    }

    private static string Text(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static ApiKeyRecord Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2).Split(',', StringSplitOptions.RemoveEmptyEntries),
        reader.GetString(3),
        DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture),
        reader.IsDBNull(5) ? null : DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture))
    {
        Models = reader.IsDBNull(6) ? null : reader.GetString(6).Split(','),
        Rpm = reader.IsDBNull(7) ? null : Convert.ToInt32(reader.GetValue(7), CultureInfo.InvariantCulture),
        BudgetUsd = reader.IsDBNull(8) ? null : StoreDatabase.FromNanos(Convert.ToInt64(reader.GetValue(8), CultureInfo.InvariantCulture)),
    };

    private readonly record struct CachedKey(ApiKeyRecord Record, long ExpiresAt, long RefreshAt);
}
