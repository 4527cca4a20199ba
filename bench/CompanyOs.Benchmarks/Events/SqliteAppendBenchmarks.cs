using BenchmarkDotNet.Attributes;
using CompanyOs.Events;
using CompanyOs.Events.Appending;
using CompanyOs.Events.Serialization;
using CompanyOs.Events.Sqlite;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Benchmarks.Events;

/// <summary>
/// SQLite appends per durability mode: one event per append (sequential, and 16 concurrent callers sharing group
/// commits) and 1000-event batches, each against a raw baseline in the same run.
/// <para>
/// The baselines (<see cref="RawSingleCommit"/>, <see cref="RawBatch"/>) write the same rows the store writes — every
/// column with the same values and sizes (stream id, version, 16-byte event id, type, data, the metadata JSON, org, time)
/// — into a plain table without indexes, through statements prepared once and bound by position (the store's own
/// <see cref="SqliteStatement"/>), on a connection with the store's file settings (WAL, the same <c>synchronous</c>) and
/// plain SQLite's checkpointing: automatic, inside the commit, every 10,000 pages (the store checkpoints in the background
/// since h-sqlb; see <c>SqliteCheckpointer</c>). What separates the store from them is the store: its three indexes (stream/version,
/// stream/event id, org), the stream read and row, validation, group commit. The previous baselines (a 4-column row with
/// less than two thirds of the bytes, bound through ADO.NET, default checkpointing) stay as <c>…Minimal</c> for
/// comparison with older figures.
/// </para>
/// Results are per event (OperationsPerInvoke).
/// </summary>
[Config(typeof(EventBenchConfig))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet releases resources in [GlobalCleanup].")]
public class SqliteAppendBenchmarks
{
    private const long CreatedAt = 1_796_153_422_206_012;

    private SqliteEventStore _store = null!;
    private SqliteConnection _raw = null!;
    private SqliteStatement _rawBegin = null!;
    private SqliteStatement _rawCommit = null!;
    private SqliteStatement _rawInsert = null!;
    private SqliteCommand _minimalInsert = null!;
    private byte[] _data = null!;
    private string _metadata = null!;
    private string _path = null!;
    private string _rawPath = null!;
    private int _stream;
    private long _rawVersion;

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
        Execute("PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 67108864;");
        Execute("""
            CREATE TABLE raw (position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, version INTEGER NOT NULL, event_id BLOB NOT NULL,
                type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, org_id TEXT, created_at INTEGER NOT NULL)
            """);
        Execute("CREATE TABLE raw_minimal (position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, event_id TEXT NOT NULL, data TEXT NOT NULL)");
        _rawBegin = new SqliteStatement(_raw, "BEGIN IMMEDIATE");
        _rawCommit = new SqliteStatement(_raw, "COMMIT");
        _rawInsert = new SqliteStatement(
            _raw, "INSERT INTO raw (stream_id, version, event_id, type, data, metadata, org_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        // The same bytes the store stores for BenchEvents.One(): the data's UTF-8 JSON and the metadata JSON it writes.
        var e = BenchEvents.One();
        _data = System.Text.Encoding.UTF8.GetBytes(BenchEvents.DataText);
        _metadata = MetadataJson.Write(e.Metadata, new EventLocation(0, e.EventId, "raw-0"), "events");
        _minimalInsert = _raw.CreateCommand();
        _minimalInsert.CommandText = "INSERT INTO raw_minimal (stream_id, event_id, data) VALUES ('raw', $id, $data)";
        _minimalInsert.Parameters.Add(new SqliteParameter { ParameterName = "$id" });
        _minimalInsert.Parameters.AddWithValue("$data", BenchEvents.DataText);
    }

    [Benchmark(Description = "raw INSERT+COMMIT per row (same row, no indexes)")]
    public void RawSingleCommit()
    {
        _rawBegin.Execute();
        BindRawRow("single-" + (_stream++ % 100));
        InsertRawRow();
        _rawCommit.Execute();
    }

    [Benchmark(Description = "raw INSERT+COMMIT per row, minimal row (previous baseline)")]
    public void RawSingleCommitMinimal()
    {
        Execute("BEGIN IMMEDIATE");
        _minimalInsert.Parameters[0].Value = Guid.NewGuid().ToString("D");
        _minimalInsert.ExecuteNonQuery();
        Execute("COMMIT");
    }

    [Benchmark(Description = "store: 1 event per append")]
    public Task<AppendResult> SingleAppend() => _store.AppendAsync("single-" + (_stream++ % 100), ExpectedVersion.Any, [BenchEvents.One()]);

    [Benchmark(Description = "store: 1 event per append, 16 callers", OperationsPerInvoke = BenchEvents.Concurrency)]
    public Task ConcurrentSingleAppends() => Task.WhenAll(Enumerable.Range(0, BenchEvents.Concurrency)
        .Select(i => Task.Run(() => _store.AppendAsync("concurrent-" + i, ExpectedVersion.Any, [BenchEvents.One()]))));

    [Benchmark(Description = "raw 1000 INSERTs in one transaction (same rows, no indexes)", OperationsPerInvoke = BenchEvents.BatchSize)]
    public void RawBatch()
    {
        _rawBegin.Execute();
        BindRawRow("batch-" + (_stream++ % 100));
        for (var i = 0; i < BenchEvents.BatchSize; i++)
        {
            InsertRawRow();
        }

        _rawCommit.Execute();
    }

    [Benchmark(Description = "raw 1000 INSERTs in one transaction, minimal rows (previous baseline)", OperationsPerInvoke = BenchEvents.BatchSize)]
    public void RawBatchMinimal()
    {
        Execute("BEGIN IMMEDIATE");
        for (var i = 0; i < BenchEvents.BatchSize; i++)
        {
            _minimalInsert.Parameters[0].Value = Guid.NewGuid().ToString("D");
            _minimalInsert.ExecuteNonQuery();
        }

        Execute("COMMIT");
    }

    [Benchmark(Description = "store: 1000-event batch", OperationsPerInvoke = BenchEvents.BatchSize)]
    public Task<AppendResult> BatchAppend() => _store.AppendAsync("batch-" + (_stream++ % 100), ExpectedVersion.Any, BenchEvents.Batch(BenchEvents.BatchSize));

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _rawBegin.Dispose();
        _rawCommit.Dispose();
        _rawInsert.Dispose();
        _minimalInsert.Dispose();
        _raw.Dispose();
        SqliteConnection.ClearAllPools();
        BenchEvents.DeleteDatabase(_path);
        BenchEvents.DeleteDatabase(_rawPath);
    }

    /// <summary>Binds what the rows of one transaction share, as the store binds them once per append.</summary>
    private void BindRawRow(string streamId)
    {
        _rawInsert.Bind(1, streamId);
        _rawInsert.Bind(4, "agent.tool_finished");
        _rawInsert.Bind(6, _metadata);
        _rawInsert.Bind(7, "org-bench");
        _rawInsert.Bind(8, CreatedAt);
    }

    /// <summary>One row: what changes per event (version, a new 16-byte id, the data bytes) bound, as the store does.</summary>
    private void InsertRawRow()
    {
        Span<byte> id = stackalloc byte[SqliteEventId.Size];
        SqliteEventId.Write(Guid.NewGuid(), id);
        _rawInsert.Bind(2, _rawVersion++);
        _rawInsert.BindBlob(3, id);
        _rawInsert.BindUtf8(5, _data);
        _rawInsert.Execute();
    }

    private void Execute(string sql)
    {
        using var command = _raw.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
