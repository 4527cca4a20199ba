using BenchmarkDotNet.Attributes;
using CompanyOs.Events;
using CompanyOs.Events.Sqlite;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Benchmarks.Events;

/// <summary>
/// SQLite appends per durability mode: one event per append (sequential, and 16 concurrent callers sharing group
/// commits) and 1000-event batches. Baselines in the same run: a raw INSERT + COMMIT per row, and 1000 raw INSERTs in one
/// transaction, with the same journal mode and synchronous setting and no event store around them.
/// Results are per event (OperationsPerInvoke).
/// </summary>
[Config(typeof(EventBenchConfig))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet releases resources in [GlobalCleanup].")]
public class SqliteAppendBenchmarks
{
    private SqliteEventStore _store = null!;
    private SqliteConnection _raw = null!;
    private SqliteCommand _rawInsert = null!;
    private string _path = null!;
    private string _rawPath = null!;
    private int _stream;

    [Params(SqliteDurability.Full, SqliteDurability.Normal)]
    public SqliteDurability Durability { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _path = BenchEvents.TempDatabase();
        _store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = _path, Durability = Durability });
        _rawPath = BenchEvents.TempDatabase();
        Directory.CreateDirectory(Path.GetDirectoryName(_rawPath)!);
        _raw = new SqliteConnection($"Data Source={_rawPath}");
        _raw.Open();
        Execute($"PRAGMA journal_mode = WAL; PRAGMA synchronous = {(Durability == SqliteDurability.Full ? "FULL" : "NORMAL")};");
        Execute("CREATE TABLE raw (position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, event_id TEXT NOT NULL, data TEXT NOT NULL)");
        _rawInsert = _raw.CreateCommand();
        _rawInsert.CommandText = "INSERT INTO raw (stream_id, event_id, data) VALUES ('raw', $id, $data)";
        _rawInsert.Parameters.Add(new SqliteParameter { ParameterName = "$id" });
        _rawInsert.Parameters.AddWithValue("$data", BenchEvents.DataText);
    }

    [Benchmark(Description = "raw INSERT+COMMIT per row")]
    public void RawSingleCommit()
    {
        Execute("BEGIN IMMEDIATE");
        _rawInsert.Parameters[0].Value = Guid.NewGuid().ToString("D");
        _rawInsert.ExecuteNonQuery();
        Execute("COMMIT");
    }

    [Benchmark(Description = "store: 1 event per append")]
    public Task<AppendResult> SingleAppend() => _store.AppendAsync("single-" + (_stream++ % 100), ExpectedVersion.Any, [BenchEvents.One()]);

    [Benchmark(Description = "store: 1 event per append, 16 callers", OperationsPerInvoke = BenchEvents.Concurrency)]
    public Task ConcurrentSingleAppends() => Task.WhenAll(Enumerable.Range(0, BenchEvents.Concurrency)
        .Select(i => Task.Run(() => _store.AppendAsync("concurrent-" + i, ExpectedVersion.Any, [BenchEvents.One()]))));

    [Benchmark(Description = "raw 1000 INSERTs in one transaction", OperationsPerInvoke = BenchEvents.BatchSize)]
    public void RawBatch()
    {
        Execute("BEGIN IMMEDIATE");
        for (var i = 0; i < BenchEvents.BatchSize; i++)
        {
            _rawInsert.Parameters[0].Value = Guid.NewGuid().ToString("D");
            _rawInsert.ExecuteNonQuery();
        }

        Execute("COMMIT");
    }

    [Benchmark(Description = "store: 1000-event batch", OperationsPerInvoke = BenchEvents.BatchSize)]
    public Task<AppendResult> BatchAppend() => _store.AppendAsync("batch-" + (_stream++ % 100), ExpectedVersion.Any, BenchEvents.Batch(BenchEvents.BatchSize));

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _rawInsert.Dispose();
        _raw.Dispose();
        SqliteConnection.ClearAllPools();
        BenchEvents.DeleteDatabase(_path);
        BenchEvents.DeleteDatabase(_rawPath);
    }

    private void Execute(string sql)
    {
        using var command = _raw.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
