using CompanyOs.Server.Keys;
using Npgsql;

namespace CompanyOs.Server.Tests.Infrastructure;

/// <summary>
/// A fresh server store for one test: a new SQLite file, or a new schema in the throw-away PostgreSQL of
/// <c>COMPANYOS_TEST_POSTGRES</c> (scripts/test.sh starts it; a missing variable fails the test — CI must really run these).
/// </summary>
internal abstract class TestStore : IAsyncDisposable
{
    public const string PostgresVariable = "COMPANYOS_TEST_POSTGRES";

    /// <summary>What the server needs on its command line to use this store.</summary>
    public abstract string[] ServerArgs { get; }

    /// <summary>The KeysCommand options selecting this store.</summary>
    public abstract string[] CommandArgs { get; }

    public abstract ServerStore Open(TimeProvider time);

    public abstract ValueTask DisposeAsync();

    public static TestStore Sqlite() => new SqliteTestStore();

    public static async Task<TestStore> PostgresAsync()
    {
        var baseString = Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{PostgresVariable} is not set. Run ./scripts/test.sh (it starts a throw-away PostgreSQL), or in your shell: "
                + "source scripts/postgres.sh && start_test_postgres");
        var schema = "keys_" + Guid.NewGuid().ToString("N");
        await using (var source = NpgsqlDataSource.Create(baseString))
        await using (var command = source.CreateCommand($"CREATE SCHEMA \"{schema}\""))
        {
            await command.ExecuteNonQueryAsync();
        }

        return new PostgresTestStore(baseString, schema);
    }

    private sealed class SqliteTestStore : TestStore
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), "companyos-server-tests", Guid.NewGuid().ToString("N") + ".db");

        public SqliteTestStore() => Directory.CreateDirectory(Path.GetDirectoryName(_path)!);

        public override string[] ServerArgs => ["--keys-db", _path];

        public override string[] CommandArgs => ["--keys-db", _path];

        public override ServerStore Open(TimeProvider time) => ServerStore.Sqlite(_path, time);

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class PostgresTestStore(string baseString, string schema) : TestStore
    {
        // A variable name of this test only: the server reads it from its configuration first, the process environment second.
        private readonly string _variable = "COMPANYOS_TEST_KEYS_" + schema.ToUpperInvariant();

        private string ConnectionString => new NpgsqlConnectionStringBuilder(baseString) { SearchPath = schema }.ToString();

        public override string[] ServerArgs =>
            ["--CompanyOs:Server:KeysStore=postgres", $"--CompanyOs:Server:KeysConnectionStringEnv={_variable}", $"--{_variable}={ConnectionString}"];

        public override string[] CommandArgs
        {
            get
            {
                Environment.SetEnvironmentVariable(_variable, ConnectionString);
                return ["--keys-store", "postgres", "--keys-connection-env", _variable];
            }
        }

        public override ServerStore Open(TimeProvider time) => ServerStore.Postgres(ConnectionString, time);

        public override async ValueTask DisposeAsync()
        {
            Environment.SetEnvironmentVariable(_variable, null);
            NpgsqlConnection.ClearAllPools();
            await using var source = NpgsqlDataSource.Create(baseString);
            await using var command = source.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            await command.ExecuteNonQueryAsync();
        }
    }
}
