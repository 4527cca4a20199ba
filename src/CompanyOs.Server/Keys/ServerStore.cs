using System.Data.Common;
using CompanyOs.Configuration;
using CompanyOs.Server.Hosting;
using CompanyOs.Server.Usage;

namespace CompanyOs.Server.Keys;

/// <summary>
/// The server's store — API keys, budget spend, usage log — in SQLite (<c>keys_database</c>, the default) or PostgreSQL
/// (<c>keys_store: postgres</c>, connection string in the variable named by <c>keys_connection_string_env</c>).
/// </summary>
internal sealed class ServerStore : IAsyncDisposable
{
    private const string Source = "(server configuration)";

    private readonly string _setting;

    private ServerStore(StoreDatabase database, TimeProvider time, string setting, TimeSpan keyCacheTtl)
    {
        _setting = setting;
        Database = database;
        Keys = new ApiKeyStore(database, time, keyCacheTtl);
        Spend = new SpendLedger(database);
        Usage = new UsageLog(database);
    }

    public StoreDatabase Database { get; }

    public ApiKeyStore Keys { get; }

    public SpendLedger Spend { get; }

    public UsageLog Usage { get; }

    /// <param name="path">The SQLite file.</param>
    /// <param name="time">The clock.</param>
    /// <param name="keyCacheTtl">How long found key records are reused (see <see cref="ApiKeyStore"/>); zero: not at all.</param>
    public static ServerStore Sqlite(string path, TimeProvider time, TimeSpan keyCacheTtl = default) =>
        new(new SqliteStoreDatabase(path), time, $"{ServerOptions.SectionName}:KeysDatabase (keys_database)", keyCacheTtl);

    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <param name="time">The clock.</param>
    /// <param name="keyCacheTtl">How long found key records are reused (see <see cref="ApiKeyStore"/>); zero: not at all.</param>
    public static ServerStore Postgres(string connectionString, TimeProvider time, TimeSpan keyCacheTtl = default) =>
        new(new PostgresStoreDatabase(connectionString), time, $"{ServerOptions.SectionName}:KeysConnectionStringEnv (keys_connection_string_env)", keyCacheTtl);

    /// <summary>The store <paramref name="options"/> select; null when keys are off.</summary>
    /// <param name="options">The server's settings.</param>
    /// <param name="contentRoot">Where a relative SQLite path starts.</param>
    /// <param name="environment">Looks up the connection string variable.</param>
    /// <param name="time">The clock for creation and revocation times.</param>
    /// <exception cref="ConfigurationException">PostgreSQL is selected without a usable connection string variable.</exception>
    public static ServerStore? Open(ServerOptions options, string contentRoot, Func<string, string?> environment, TimeProvider time)
    {
        if (options.KeysStore == ServerOptions.PostgresStore)
        {
            var key = $"{ServerOptions.SectionName}:KeysConnectionStringEnv (keys_connection_string_env)";
            if (options.KeysConnectionStringEnv is not { } variable)
            {
                throw new ConfigurationException(Source, key, "keys_store is 'postgres': name the environment variable that holds the connection string");
            }

            var connectionString = environment(variable) is { Length: > 0 } value
                ? value
                : throw new ConfigurationException(Source, key, $"environment variable '{variable}' is not set");
            try
            {
                return Postgres(connectionString, time, TimeSpan.FromSeconds(options.KeyCacheSeconds));
            }
            catch (ArgumentException e)
            {
                // Npgsql's message names the bad keyword, never the password.
                throw new ConfigurationException(Source, key, $"environment variable '{variable}' is not a valid PostgreSQL connection string: {e.Message}", e);
            }
        }

        return options.KeysDatabase is { } path ? Sqlite(Path.Combine(contentRoot, path), time, TimeSpan.FromSeconds(options.KeyCacheSeconds)) : null;
    }

    /// <exception cref="ConfigurationException">The database cannot be opened or its tables created.</exception>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await Database.InitializeAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException or TimeoutException)
        {
            throw new ConfigurationException(Source, _setting, $"cannot open the key store ({Database.Description}): {e.Message}", e);
        }
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
