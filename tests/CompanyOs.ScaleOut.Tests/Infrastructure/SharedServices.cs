using Npgsql;
using StackExchange.Redis;

namespace CompanyOs.ScaleOut.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL and Redis every instance of a test shares: scripts/test.sh starts throw-away ones and exports
/// <c>COMPANYOS_TEST_POSTGRES</c> and <c>COMPANYOS_TEST_REDIS</c>. A missing variable fails the test (CI must really run these).
/// </summary>
internal static class SharedServices
{
    public const string PostgresVariable = "COMPANYOS_TEST_POSTGRES";
    public const string RedisVariable = "COMPANYOS_TEST_REDIS";

    public static string Postgres => Require(PostgresVariable, "source scripts/postgres.sh && start_test_postgres");

    public static string Redis => Require(RedisVariable, "source scripts/redis.sh && start_test_redis");

    private static string Require(string variable, string howTo) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set. Run ./scripts/test.sh (it starts what the scale-out tests need), or in your shell: {howTo}");
}

/// <summary>Fresh schemas in a PostgreSQL for one test (the key store's and the run store's), dropped at the end.</summary>
internal sealed class TestSchemas : IAsyncDisposable
{
    private readonly string _server;

    private TestSchemas(string server, string keys, string runs)
    {
        _server = server;
        KeysSchema = keys;
        RunsSchema = runs;
    }

    /// <summary>The server's connection string (no schema).</summary>
    public string Server => _server;

    public string KeysSchema { get; }

    public string RunsSchema { get; }

    /// <summary>The key store's connection string: its search path selects <see cref="KeysSchema"/>.</summary>
    public string KeysConnection => new NpgsqlConnectionStringBuilder(_server) { SearchPath = KeysSchema }.ToString();

    public static async Task<TestSchemas> CreateAsync(string server, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var schemas = new TestSchemas(server, "scale_keys_" + id, "scale_runs_" + id);
        await using var source = NpgsqlDataSource.Create(server);
        await using var command = source.CreateCommand($"CREATE SCHEMA \"{schemas.KeysSchema}\"");
        await command.ExecuteNonQueryAsync(cancellationToken);
        return schemas;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var source = NpgsqlDataSource.Create(_server);
            await using var command = source.CreateCommand($"DROP SCHEMA IF EXISTS \"{KeysSchema}\" CASCADE; DROP SCHEMA IF EXISTS \"{RunsSchema}\" CASCADE");
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // A test that stopped its own cluster has nothing left to drop.
        }
    }
}

/// <summary>A random key prefix in the shared Redis for one test; its keys are deleted at the end.</summary>
internal sealed class TestRedisPrefix : IAsyncDisposable
{
    public string Configuration { get; } = SharedServices.Redis;

    public string Prefix { get; } = "companyos-test:" + Guid.NewGuid().ToString("N")[..12] + ":";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(Configuration + ",connectTimeout=2000,abortConnect=false");
            foreach (var endpoint in redis.GetEndPoints())
            {
                var server = redis.GetServer(endpoint);
                await foreach (var key in server.KeysAsync(pattern: Prefix + "*"))
                {
                    await redis.GetDatabase().KeyDeleteAsync(key);
                }
            }
        }
        catch (RedisException)
        {
            // Cleaning up is a courtesy: the prefix is random, and the test Redis is thrown away with the run.
        }
    }
}
