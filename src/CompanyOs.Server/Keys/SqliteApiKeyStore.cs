using System.Globalization;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Server.Keys;

/// <summary>API keys per organisation in a SQLite file (table <c>api_keys</c>); only SHA-256 hashes are stored.</summary>
internal sealed class SqliteApiKeyStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS api_keys (
            id TEXT PRIMARY KEY,
            key_hash TEXT NOT NULL UNIQUE,
            prefix TEXT NOT NULL,
            org TEXT NOT NULL,
            scopes TEXT NOT NULL,
            models TEXT NULL,
            rpm INTEGER NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT NULL);
        """;

    private const string Columns = "id, org, scopes, prefix, created_at, revoked_at, models, rpm";
    private readonly string _connectionString;
    private readonly TimeProvider _time;

    public SqliteApiKeyStore(string databasePath, TimeProvider time)
    {
        DatabasePath = Path.GetFullPath(databasePath);
        _time = time;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = DatabasePath, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
    }

    public string DatabasePath { get; }

    /// <summary>Creates the table when missing; fails (at start-up) when the file cannot be opened.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = Schema;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Creates a key for <paramref name="org"/>; the returned key is the only time it is ever visible.</summary>
    public async Task<(ApiKeyRecord Record, string Key)> CreateAsync(
        string org, IReadOnlyList<string> scopes, IReadOnlyList<string>? models = null, int? rpm = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(org);
        var unknown = scopes.Except(ApiKey.KnownScopes, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0 || scopes.Count == 0)
        {
            throw new ArgumentException($"Scopes must be some of {string.Join(", ", ApiKey.KnownScopes)}; got '{string.Join(",", scopes)}'.", nameof(scopes));
        }

        var key = ApiKey.Generate();
        if (models is { Count: 0 } || models?.Any(m => string.IsNullOrWhiteSpace(m) || m.Contains(',', StringComparison.Ordinal)) == true)
        {
            throw new ArgumentException("Models must be a non-empty list of model names (or null for every model).", nameof(models));
        }

        if (rpm is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rpm), rpm, "Requests per minute must be at least 1 (or null for no limit).");
        }

        var record = new ApiKeyRecord(ApiKey.NewId(), org, scopes, ApiKey.Visible(key), _time.GetUtcNow(), null) { Models = models, Rpm = rpm };
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO api_keys (id, key_hash, prefix, org, scopes, models, rpm, created_at) VALUES ($id, $hash, $prefix, $org, $scopes, $models, $rpm, $created)";
        command.Parameters.AddWithValue("$id", record.Id);
        command.Parameters.AddWithValue("$hash", ApiKey.Hash(key));
        command.Parameters.AddWithValue("$prefix", record.Prefix);
        command.Parameters.AddWithValue("$org", org);
        command.Parameters.AddWithValue("$scopes", string.Join(',', scopes));
        command.Parameters.AddWithValue("$models", models is null ? DBNull.Value : string.Join(',', models));
        command.Parameters.AddWithValue("$rpm", rpm is null ? DBNull.Value : rpm.Value);
        command.Parameters.AddWithValue("$created", record.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(cancellationToken);
        return (record, key);
    }

    /// <summary>The record of <paramref name="key"/> (revoked ones included, so callers can say so), or null.</summary>
    public async Task<ApiKeyRecord?> FindAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM api_keys WHERE key_hash = $hash";
        command.Parameters.AddWithValue("$hash", ApiKey.Hash(key));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM api_keys ORDER BY org, created_at";
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
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE api_keys SET revoked_at = $now WHERE id = $id AND revoked_at IS NULL";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$now", _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static ApiKeyRecord Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2).Split(',', StringSplitOptions.RemoveEmptyEntries),
        reader.GetString(3),
        DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture),
        reader.IsDBNull(5) ? null : DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture))
    {
        Models = reader.IsDBNull(6) ? null : reader.GetString(6).Split(','),
        Rpm = reader.IsDBNull(7) ? null : reader.GetInt32(7),
    };
}
