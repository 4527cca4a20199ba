using System.Text.Json;
using CompanyOs.Events.Sqlite;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Tests.Sqlite;

/// <summary>
/// WAL checkpoints run off the appending caller's path (SqliteCheckpointer): a background thread copies the WAL into the
/// database file past <see cref="SqliteEventStoreOptions.WalCheckpointPages"/>, the writer checkpoints itself past four
/// times that, so the WAL stays bounded; SQLite's own automatic checkpoint (inside a commit) is off on the writer.
/// The kill -9 contract with checkpoints running all the time is <c>SqliteSmallCheckpointCrashSafetyTests</c>.
/// </summary>
public sealed class SqliteCheckpointTests : IDisposable
{
    private const int SoftPages = 100;
    private const int WalFrameBytes = 4096 + 24;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DatabasePath => Path.Combine(_directory.Path, "events.db");

    [Fact]
    public async Task The_wal_stays_bounded_under_continuous_batches()
    {
        var store = await OpenAsync();
        try
        {
            // ≈ 0.12 WAL pages per batched event: 40 batches of 500 write ≈ 2,400 pages, six times the hard cap (400 pages).
            // SQLite's automatic checkpoint (the store's previous 10,000 pages) would let the WAL reach all of them.
            long largest = 0;
            for (var i = 0; i < 40; i++)
            {
                await store.AppendAsync("batch-" + (i % 5), ExpectedVersion.Any, Batch(500, i), Ct);
                largest = Math.Max(largest, new FileInfo(DatabasePath + "-wal").Length);
            }

            // Bound: the hard cap, what one commit adds past it before the writer checkpoints, and slack for a WAL restart
            // missed while a background pass held a lock (the next pass catches it).
            var bound = (2L * SqliteCheckpointer.HardCapFactor * SoftPages + 200) * WalFrameBytes;
            Assert.True(largest <= bound, $"WAL file reached {largest:N0} bytes, bound {bound:N0}");
            Assert.True(store.Writer.Checkpointer.WalPages < 2L * SqliteCheckpointer.HardCapFactor * SoftPages, $"WAL estimate {store.Writer.Checkpointer.WalPages}");
            Assert.Equal(20_000, await store.ReadAllAsync(cancellationToken: Ct).CountAsync(Ct));
        }
        finally
        {
            store.Dispose();
        }
    }

    [Fact]
    public async Task Past_the_threshold_the_background_thread_checkpoints_without_an_append_waiting()
    {
        var store = await OpenAsync();
        try
        {
            var fileBefore = new FileInfo(DatabasePath).Length;
            // ≈ 240 WAL pages: past the soft threshold (100), below the hard cap (400), so only the background thread checkpoints.
            await store.AppendAsync("batch", ExpectedVersion.Any, Batch(1_000, 0), Ct);
            await store.AppendAsync("batch", ExpectedVersion.Any, Batch(1_000, 1), Ct);

            var deadline = DateTime.UtcNow + Patience;
            while (store.Writer.Checkpointer.BackgroundCheckpoints == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, Ct);
            }

            Assert.True(store.Writer.Checkpointer.BackgroundCheckpoints > 0, "no background checkpoint within a minute");
            Assert.Equal(0, store.Writer.Checkpointer.CallerCheckpoints);
            // The checkpoint copied the events' pages into the database file (it held only the schema before).
            Assert.True(new FileInfo(DatabasePath).Length > fileBefore + (100L * 4096), $"database file {new FileInfo(DatabasePath).Length:N0} bytes, was {fileBefore:N0}");
        }
        finally
        {
            store.Dispose();
        }
    }

    [Fact]
    public async Task The_writer_connection_has_sqlites_automatic_checkpoint_off()
    {
        var store = await OpenAsync();
        try
        {
            // Readers never commit, so only the writer's setting matters; it is read through the writer's own handle.
            using var command = new SqliteStatement(store.Writer.Connection, "PRAGMA wal_autocheckpoint");
            Assert.Equal(0L, command.QueryFirst(static row => SQLitePCL.raw.sqlite3_column_int64(row, 0), -1L));
        }
        finally
        {
            store.Dispose();
        }
    }

    [Fact]
    public async Task Events_appended_while_checkpoints_run_are_all_there_after_reopening_and_the_file_is_intact()
    {
        var written = new List<Guid>();
        var store = await OpenAsync();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                var batch = Batch(300, i);
                await store.AppendAsync("s-" + (i % 3), ExpectedVersion.Any, batch, Ct);
                written.AddRange(batch.Select(e => e.EventId));
            }
        }
        finally
        {
            store.Dispose();
        }

        var reopened = await OpenAsync();
        try
        {
            var all = await reopened.ReadAllAsync(cancellationToken: Ct).ToListAsync(Ct);
            Assert.Equal(written, all.Select(e => e.EventId));
            Assert.Equal(Enumerable.Range(1, written.Count).Select(p => (long)p), all.Select(e => e.Position));
        }
        finally
        {
            reopened.Dispose();
        }

        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", check.ExecuteScalar());
    }

    [Fact]
    public void The_checkpoint_threshold_is_validated()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SqliteEventStoreOptions { DatabasePath = DatabasePath, WalCheckpointPages = 10 }.Validate());
        Assert.Contains("WalCheckpointPages", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();

    private static EventData[] Batch(int count, int batch) =>
        Enumerable.Range(0, count).Select(k => new EventData(
            Guid.NewGuid(),
            "checkpoint.test",
            JsonSerializer.SerializeToElement(new { batch, k, text = "an event of about the size an agent step writes" }),
            new EventMetadata { OrgId = "org-checkpoint" })).ToArray();

    private Task<SqliteEventStore> OpenAsync() =>
        SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = DatabasePath, WalCheckpointPages = SoftPages }, cancellationToken: Ct);
}
