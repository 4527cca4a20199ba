using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace CompanyOs.Events.Sqlite;

/// <summary>
/// Keeps the WAL's checkpoints off the appending caller's path. SQLite's own automatic checkpoint runs inside the commit
/// that crosses its threshold, so that caller pays for copying the whole WAL into the database file and two fsyncs; the
/// writer connection therefore has it off (<c>wal_autocheckpoint = 0</c>) and, after each commit, reports the WAL pages it
/// wrote here (<see cref="Committed"/>). Each time <see cref="SqliteEventStoreOptions.WalCheckpointPages"/> pages have been
/// written since its last checkpoint, a background thread runs a <c>PASSIVE</c> checkpoint on its own connection (it
/// never blocks the writer or readers). A checkpoint alone does not shrink the WAL: SQLite restarts it from its start only
/// when a write transaction begins with every frame already copied, which a background checkpoint racing a busy writer
/// rarely achieves. So once the WAL holds four times the threshold (the hard cap) the writer checkpoints itself after its
/// commit — copying only what the background thread has not yet copied, at most about one threshold's worth — and its
/// next transaction restarts the WAL; the writer does the same, as SQLite's automatic checkpoint would, when the
/// background checkpoints fall behind or a reader keeps them from finishing, so the WAL cannot grow without bound.
/// <para>
/// The WAL's size is estimated conservatively: pages written, corrected after each background checkpoint to what it
/// reported the WAL holding (<c>sqlite3_wal_checkpoint_v2</c>'s log size) plus what was written since. Crash safety is SQLite's: a checkpoint only copies
/// committed frames, and a WAL left behind by a crash is replayed on open whatever its size.
/// </para>
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    /// <summary>The writer checkpoints itself once the WAL holds this many times the threshold.</summary>
    internal const int HardCapFactor = 4;

    private readonly SqliteConnection _connection;
    private readonly sqlite3 _db;
    private readonly string _databasePath;
    private readonly ILogger _logger;
    private readonly long _thresholdPages;
    private readonly long _hardPages;
    private readonly Thread _thread;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private volatile bool _stopping;
    private long _walPages;
    private long _uncopiedPages;
    private long _pagesWritten;
    private long _nextCallerCheckpoint;
    private long _backgroundCheckpoints;
    private long _callerCheckpoints;

    public SqliteCheckpointer(SqliteConnection connection, string databasePath, int thresholdPages, ILogger logger)
    {
        _connection = connection;
        _db = connection.Handle ?? throw new InvalidOperationException("The checkpointer connection is not open.");
        _databasePath = databasePath;
        _logger = logger;
        _thresholdPages = thresholdPages;
        _hardPages = (long)thresholdPages * HardCapFactor;
        _nextCallerCheckpoint = _hardPages;
        _thread = new Thread(Run) { IsBackground = true, Name = "SQLite checkpointer" };
        _thread.Start();
    }

    /// <summary>The WAL pages the store estimates it holds (conservative: never fewer than it does, short of other processes' writes).</summary>
    internal long WalPages => Interlocked.Read(ref _walPages);

    /// <summary>WAL pages the writer has written since the store opened (benchmarks divide it by commits).</summary>
    internal long PagesWritten => Interlocked.Read(ref _pagesWritten);

    /// <summary>Checkpoints the background thread has completed.</summary>
    internal long BackgroundCheckpoints => Interlocked.Read(ref _backgroundCheckpoints);

    /// <summary>Checkpoints the writer ran on a caller's path (the hard cap).</summary>
    internal long CallerCheckpoints => Interlocked.Read(ref _callerCheckpoints);

    /// <summary>
    /// Called by the writer after each commit, outside any transaction and on its own connection: adds the pages that commit
    /// wrote to the WAL, checkpoints on the caller's path past the hard cap, and otherwise wakes the background thread once
    /// a threshold's worth of pages is waiting to be copied.
    /// </summary>
    public void Committed(sqlite3 writer)
    {
        // Pages this connection wrote (to the WAL, in WAL mode) since the last call: the counter is read and reset.
        raw.sqlite3_db_status(writer, raw.SQLITE_DBSTATUS_CACHE_WRITE, out var written, out _, 1);
        var pages = Interlocked.Add(ref _walPages, written);
        Interlocked.Add(ref _pagesWritten, written);
        var uncopied = Interlocked.Add(ref _uncopiedPages, written);
        if (pages >= _hardPages && pages >= Interlocked.Read(ref _nextCallerCheckpoint))
        {
            CheckpointOnCallerPath(writer, pages, uncopied);
        }
        else if (uncopied >= _thresholdPages && _wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already woken by a commit in between: one pass serves both.
            }
        }
    }

    /// <summary>Stops the background thread (waiting for a checkpoint in progress) and closes its connection.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the thread sees _stopping on waking.
        }

        _thread.Join();
        _connection.Dispose();
        _wake.Dispose();
    }

    private void CheckpointOnCallerPath(sqlite3 writer, long before, long uncopied)
    {
        var rc = raw.sqlite3_wal_checkpoint_v2(writer, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out var log, out var copied);
        Interlocked.Increment(ref _callerCheckpoints);
        if (rc == raw.SQLITE_OK && log >= 0 && copied == log)
        {
            // Every frame is in the database file and this writer starts the next transaction: SQLite restarts the WAL then
            // (unless a reader still needs a frame — the next background checkpoint's report corrects the estimate).
            Interlocked.Add(ref _walPages, -before);
            Interlocked.Add(ref _uncopiedPages, -uncopied);
            Interlocked.Exchange(ref _nextCallerCheckpoint, _hardPages);
        }
        else
        {
            // A reader holds frames (or another process is checkpointing): try again after another threshold's worth of
            // pages rather than on every commit.
            Interlocked.Exchange(ref _nextCallerCheckpoint, before + _thresholdPages);
        }
    }

    private void Run()
    {
        while (true)
        {
            _wake.Wait();
            if (_stopping)
            {
                return;
            }

            // A pass copies what was committed when it started; another follows at once if a threshold's worth came in meanwhile.
            while (!_stopping && Interlocked.Read(ref _uncopiedPages) >= _thresholdPages)
            {
                if (!CheckpointPass())
                {
                    break;
                }
            }
        }
    }

    /// <summary>One PASSIVE checkpoint; false when it could not run or could not copy everything (so looping would spin).</summary>
    private bool CheckpointPass()
    {
        var before = Interlocked.Read(ref _walPages);
        var uncopied = Interlocked.Read(ref _uncopiedPages);
        int rc, log, copied;
        try
        {
            rc = raw.sqlite3_wal_checkpoint_v2(_db, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out log, out copied);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SqliteLog.CheckpointFailed(_logger, ex, _databasePath, -1);
            return false;
        }

        if (rc != raw.SQLITE_OK)
        {
            // BUSY: another connection (the writer at its hard cap, another process) is checkpointing. Anything else is
            // logged; the caller-path checkpoint at the hard cap still bounds the WAL.
            if (rc != raw.SQLITE_BUSY)
            {
                SqliteLog.CheckpointFailed(_logger, null, _databasePath, rc);
            }

            return false;
        }

        Interlocked.Increment(ref _backgroundCheckpoints);
        // The WAL held `log` frames when the pass began; what the writer added since `before` is still counted on top.
        Interlocked.Add(ref _walPages, Math.Max(log, 0) - before);
        if (copied != log)
        {
            // A reader still needs frames: they stay counted as uncopied, and the next threshold's worth of commits asks again.
            return false;
        }

        Interlocked.Add(ref _uncopiedPages, -uncopied);
        return true;
    }
}
