using CompanyOs.Events;
using CompanyOs.Events.InMemory;
using CompanyOs.Events.Postgres;
using CompanyOs.Events.Sqlite;

namespace CompanyOs.Agents.Tests.TestDoubles;

/// <summary>
/// One event store of a kind for a contract test, and its cleanup: in-memory, SQLite on a temp file, or PostgreSQL in a
/// schema of its own on the throw-away server scripts/test.sh starts (COMPANYOS_TEST_POSTGRES; missing, the test fails).
/// </summary>
internal sealed class TestStore : IAsyncDisposable
{
    private readonly Func<ValueTask> _cleanup;

    private TestStore(IEventStore store, Func<ValueTask> cleanup)
    {
        Store = store;
        _cleanup = cleanup;
    }

    public IEventStore Store { get; }

    public static TestStore InMemory() => new(new InMemoryEventStore(), () => ValueTask.CompletedTask);

    public static async Task<TestStore> SqliteAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"companyos-agents-{Guid.NewGuid():N}.db");
        var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = path }, cancellationToken: cancellationToken);
        return new TestStore(store, async () =>
        {
            await store.DisposeAsync();
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        });
    }

    public static async Task<TestStore> PostgresAsync(CancellationToken cancellationToken)
    {
        var connection = Environment.GetEnvironmentVariable("COMPANYOS_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("COMPANYOS_TEST_POSTGRES is not set: run ./scripts/test.sh, which starts a throw-away PostgreSQL.");
        var schema = "agents_" + Guid.NewGuid().ToString("N");
        var store = await PostgresEventStore.OpenAsync(
            new PostgresEventStoreOptions { ConnectionString = connection, Schema = schema }, cancellationToken: cancellationToken);
        return new TestStore(store, async () =>
        {
            await store.DisposeAsync();
            await using var dataSource = Npgsql.NpgsqlDataSource.Create(connection);
            await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            await drop.ExecuteNonQueryAsync();
        });
    }

    public ValueTask DisposeAsync() => _cleanup();
}
