using BenchmarkDotNet.Attributes;
using CompanyOs.Events;
using CompanyOs.Events.Postgres;
using Npgsql;

namespace CompanyOs.Benchmarks.Events;

/// <summary>
/// PostgreSQL appends on loopback (server from COMPANYOS_TEST_POSTGRES, e.g. after
/// <c>source scripts/postgres.sh &amp;&amp; start_test_postgres</c>; without it the setup fails with that message and the
/// class is skipped). Baseline in the same run: a raw autocommitted single-row INSERT into a plain table.
/// </summary>
[Config(typeof(EventBenchConfig))]
public class PostgresAppendBenchmarks
{
    private const string Variable = "COMPANYOS_TEST_POSTGRES";
    private readonly string _schema = "bench_" + Guid.NewGuid().ToString("N");
    private PostgresEventStore _store = null!;
    private NpgsqlDataSource _raw = null!;
    private int _stream;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(connectionString))
        {
            throw new InvalidOperationException($"{Variable} is not set: PostgreSQL benchmarks skipped. Run: source scripts/postgres.sh && start_test_postgres");
        }

        _store = await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = _schema });
        _raw = NpgsqlDataSource.Create(connectionString);
        await using var create = _raw.CreateCommand(
            $"CREATE TABLE \"{_schema}\".raw (position bigserial PRIMARY KEY, stream_id text NOT NULL, event_id uuid NOT NULL, data jsonb NOT NULL)");
        await create.ExecuteNonQueryAsync();
    }

    [Benchmark(Baseline = true, Description = "raw INSERT (autocommit)")]
    public async Task RawSingleInsert()
    {
        await using var insert = _raw.CreateCommand($"INSERT INTO \"{_schema}\".raw (stream_id, event_id, data) VALUES ('raw', @id, @data::jsonb)");
        insert.Parameters.AddWithValue("id", Guid.NewGuid());
        insert.Parameters.AddWithValue("data", BenchEvents.DataText);
        await insert.ExecuteNonQueryAsync();
    }

    [Benchmark(Description = "store: 1 event per append")]
    public Task<AppendResult> SingleAppend() => _store.AppendAsync("single-" + (_stream++ % 100), ExpectedVersion.Any, [BenchEvents.One()]);

    [Benchmark(Description = "store: 1 event per append, 16 callers", OperationsPerInvoke = BenchEvents.Concurrency)]
    public Task ConcurrentSingleAppends() => Task.WhenAll(Enumerable.Range(0, BenchEvents.Concurrency)
        .Select(i => _store.AppendAsync("concurrent-" + i, ExpectedVersion.Any, [BenchEvents.One()])));

    [Benchmark(Description = "store: 1000-event batch", OperationsPerInvoke = BenchEvents.BatchSize)]
    public Task<AppendResult> BatchAppend() => _store.AppendAsync("batch-" + (_stream++ % 100), ExpectedVersion.Any, BenchEvents.Batch(BenchEvents.BatchSize));

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_raw is not null)
        {
            await using var drop = _raw.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE");
            await drop.ExecuteNonQueryAsync();
            await _raw.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }
}
