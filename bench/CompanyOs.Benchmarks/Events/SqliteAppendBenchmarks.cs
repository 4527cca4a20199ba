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
/// since h-sqlb; see <c>SqliteCheckpointer</c>). What separates the store from them is the store: its two indexes (stream/version,
/// stream/event id), org spans (schema 5: a row only where the org changes, so none for these one-org appends; schema 4
/// wrote one per append and org, schemas 1–3 a per-event org index entry), the stream
/// read and row, validation, group commit. The previous baselines (a 4-column row with
/// less than two thirds of the bytes, bound through ADO.NET, default checkpointing) stay as <c>…Minimal</c> for
/// comparison with older figures.
/// </para>
/// <para>
/// <see cref="RawIndexedSingleCommit"/> and <see cref="RawIndexedBatch"/> split that difference in two: the same rows,
/// statements and settings as the raw baselines, written into a file the store created (its schema: the events table with
/// its indexes and triggers, the streams table; no org spans, which the store's code writes) — the store's per-event
/// B-trees without the store's code. Raw → indexed is
/// what the schema costs (pages per commit); indexed → store is what the store's code costs (validation, the stream
/// read and row, group commit, background checkpoints). Reference rows, not targets.
/// </para>
/// Results are per event (OperationsPerInvoke).
/// </summary>
[Config(typeof(EventBenchConfig))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet releases resources in [GlobalCleanup].")]
public class SqliteAppendBenchmarks
{
    private const long CreatedAt = 1_796_153_422_206_012;

    /// <summary>The appends rotate over this many streams ("single-0" … "single-99", "batch-0" …).</summary>
    private const int StreamCount = 100;

    private SqliteEventStore _store = null!;
    private SqliteConnection _raw = null!;
    private SqliteStatement _rawBegin = null!;
    private SqliteStatement _rawCommit = null!;
    private SqliteStatement _rawInsert = null!;
    private SqliteCommand _minimalInsert = null!;
    private SqliteConnection _indexed = null!;
    private SqliteStatement _indexedBegin = null!;
    private SqliteStatement _indexedCommit = null!;
    private SqliteStatement _indexedInsert = null!;
    private readonly long[] _indexedVersions = new long[StreamCount];
    private readonly long[] _indexedBatchVersions = new long[StreamCount];
    private string _indexedPath = null!;
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
        var options = new SqliteEventStoreOptions { DatabasePath = _path, Durability = Durability };
        _store = await SqliteEventStore.OpenAsync(WalCheckpointPages is { } pages ? options with { WalCheckpointPages = pages } : options);
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
        await SetupIndexedAsync();
        _minimalInsert = _raw.CreateCommand();
        _minimalInsert.CommandText = "INSERT INTO raw_minimal (stream_id, event_id, data) VALUES ('raw', $id, $data)";
        _minimalInsert.Parameters.Add(new SqliteParameter { ParameterName = "$id" });
        _minimalInsert.Parameters.AddWithValue("$data", BenchEvents.DataText);
    }

    [Benchmark(Description = "raw INSERT+COMMIT per row (same row, no indexes)")]
    public void RawSingleCommit()
    {
        _rawBegin.Execute();
        BindRow(_rawInsert, "single-" + (_stream++ % StreamCount));
        InsertRow(_rawInsert, _rawVersion++);
        _rawCommit.Execute();
    }

    [Benchmark(Description = "raw INSERT+COMMIT per row into the store's schema (same row, its indexes)")]
    public void RawIndexedSingleCommit()
    {
        _indexedBegin.Execute();
        var stream = _stream++ % StreamCount;
        BindRow(_indexedInsert, "single-" + stream);
        InsertIndexedRow(stream);
        _indexedCommit.Execute();
    }

    [Benchmark(Description = "raw 1000 INSERTs in one transaction into the store's schema (same rows, its indexes)", OperationsPerInvoke = BenchEvents.BatchSize)]
    public void RawIndexedBatch()
    {
        _indexedBegin.Execute();
        var stream = _stream++ % StreamCount;
        // Its own streams ("indexed-batch-…"): a batch continues its stream's versions as the store's batches do.
        BindRow(_indexedInsert, "indexed-batch-" + stream);
        for (var i = 0; i < BenchEvents.BatchSize; i++)
        {
            InsertIndexedRow(stream, batch: true);
        }

        _indexedCommit.Execute();
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
    public Task<AppendResult> SingleAppend() => _orgs.Length == 1
        ? _store.AppendAsync("single-" + (_stream++ % StreamCount), ExpectedVersion.Any, [BenchEvents.One()])
        : _store.AppendAsync("single-" + (_stream++ % StreamCount), ExpectedVersion.Any, [BenchEvents.One(_orgs[_orgPicker.Next(_orgs.Length)])]);

    /// <summary>
    /// Orgs the store's single appends pick from at random (1: every event of one org, the default; more: the interleaved
    /// worst case for org records). Set before <see cref="SetupAsync"/>; <c>sqlite-loop</c> takes it from <c>ORGS</c>.
    /// </summary>
    internal int Orgs
    {
        get => _orgs.Length;
        set => _orgs = BenchEvents.OrgMetadata(value);
    }

    /// <summary>The store's checkpoint threshold when set (default: the store's); <c>sqlite-loop</c> takes it from <c>WAL_PAGES</c>.</summary>
    internal int? WalCheckpointPages { get; set; }

    /// <summary>The store's checkpoints so far: in the background, and on the appending caller's path (the hard cap).</summary>
    internal (long Background, long Caller) Checkpoints =>
        (_store.Writer.Checkpointer.BackgroundCheckpoints, _store.Writer.Checkpointer.CallerCheckpoints);

    private EventMetadata[] _orgs = BenchEvents.OrgMetadata(1);
    private readonly Random _orgPicker = new(17);

    [Benchmark(Description = "store: 1 event per append, 16 callers", OperationsPerInvoke = BenchEvents.Concurrency)]
    public Task ConcurrentSingleAppends() => Task.WhenAll(Enumerable.Range(0, BenchEvents.Concurrency)
        .Select(i => Task.Run(() => _store.AppendAsync("concurrent-" + i, ExpectedVersion.Any, [BenchEvents.One()]))));

    [Benchmark(Description = "raw 1000 INSERTs in one transaction (same rows, no indexes)", OperationsPerInvoke = BenchEvents.BatchSize)]
    public void RawBatch()
    {
        _rawBegin.Execute();
        BindRow(_rawInsert, "batch-" + (_stream++ % StreamCount));
        for (var i = 0; i < BenchEvents.BatchSize; i++)
        {
            InsertRow(_rawInsert, _rawVersion++);
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
    public Task<AppendResult> BatchAppend() => _store.AppendAsync("batch-" + (_stream++ % StreamCount), ExpectedVersion.Any, BenchEvents.Batch(BenchEvents.BatchSize));

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _rawBegin.Dispose();
        _rawCommit.Dispose();
        _rawInsert.Dispose();
        _minimalInsert.Dispose();
        _raw.Dispose();
        _indexedBegin.Dispose();
        _indexedCommit.Dispose();
        _indexedInsert.Dispose();
        _indexed.Dispose();
        SqliteConnection.ClearAllPools();
        BenchEvents.DeleteDatabase(_path);
        BenchEvents.DeleteDatabase(_rawPath);
        BenchEvents.DeleteDatabase(_indexedPath);
    }

    /// <summary>WAL pages written so far by one variant's connection: "raw", "raw-indexed" or "store" (loop runs report them per commit).</summary>
    internal long PagesWritten(string variant)
    {
        if (variant == "store")
        {
            return _store.Writer.Checkpointer.PagesWritten;
        }

        var connection = variant == "raw" ? _raw : _indexed;
        SQLitePCL.raw.sqlite3_db_status(connection.Handle, SQLitePCL.raw.SQLITE_DBSTATUS_CACHE_WRITE, out var written, out _, 0);
        return written;
    }

    /// <summary>Binds what the rows of one transaction share, as the store binds them once per append.</summary>
    private void BindRow(SqliteStatement insert, string streamId)
    {
        insert.Bind(1, streamId);
        insert.Bind(4, "agent.tool_finished");
        insert.Bind(6, _metadata);
        insert.Bind(7, "org-bench");
        insert.Bind(8, CreatedAt);
    }

    /// <summary>One row: what changes per event (version, a new 16-byte id, the data bytes) bound, as the store does.</summary>
    private void InsertRow(SqliteStatement insert, long version)
    {
        Span<byte> id = stackalloc byte[SqliteEventId.Size];
        SqliteEventId.Write(Guid.NewGuid(), id);
        insert.Bind(2, version);
        insert.BindBlob(3, id);
        insert.BindUtf8(5, _data);
        insert.Execute();
    }

    /// <summary>
    /// A file the store created and closed again (so its schema is the store's, whatever version that is), then opened
    /// with the raw baselines' settings: WAL, the same <c>synchronous</c>, SQLite's own checkpoints every 10,000 pages.
    /// </summary>
    private async Task SetupIndexedAsync()
    {
        _indexedPath = BenchEvents.TempDatabase();
        await using (await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = _indexedPath, Durability = Durability }))
        {
        }

        _indexed = new SqliteConnection($"Data Source={_indexedPath}");
        _indexed.Open();
        Execute(_indexed, $"PRAGMA journal_mode = WAL; PRAGMA synchronous = {(Durability == SqliteDurability.Full ? "FULL" : "NORMAL")};");
        Execute(_indexed, "PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 67108864;");
        _indexedBegin = new SqliteStatement(_indexed, "BEGIN IMMEDIATE");
        _indexedCommit = new SqliteStatement(_indexed, "COMMIT");
        _indexedInsert = new SqliteStatement(
            _indexed, "INSERT INTO events (stream_id, version, event_uuid, type, data, metadata, org, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    }

    /// <summary>One row of stream number <paramref name="stream"/>, at its next version (batch streams count separately).</summary>
    private void InsertIndexedRow(int stream, bool batch = false)
    {
        ref var version = ref batch ? ref _indexedBatchVersions[stream] : ref _indexedVersions[stream];
        InsertRow(_indexedInsert, version++);
    }

    private void Execute(string sql) => Execute(_raw, sql);

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
