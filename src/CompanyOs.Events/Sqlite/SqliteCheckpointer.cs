using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace CompanyOs.Events.Sqlite;

/// <summary>
/// Keeps the WAL's checkpoints off the appending caller's path. SQLite's own automatic checkpoint runs inside the commit
/// that crosses its threshold, so that caller pays for copying the whole WAL into the database file and two fsyncs; the
/// writer connection therefore has it off (<c>wal_autocheckpoint = 0</c>) and this class takes its place.
/// <para>
/// It learns the WAL's exact size the way SQLite's automatic checkpoint does: through the writer's WAL hook
/// (<c>sqlite3_wal_hook</c>), which SQLite calls after each commit with the number of frames the WAL then holds. The writer
/// reports each commit here (<see cref="Committed"/>). Each time <see cref="SqliteEventStoreOptions.WalCheckpointPages"/>
/// frames have been written since the last wake-up, a background thread runs a <c>PASSIVE</c> checkpoint on its own
/// connection (it never blocks the writer or readers).
/// </para>
/// <para>
/// A checkpoint alone does not shrink the WAL: SQLite restarts it from its start only when a write transaction begins with
/// every frame already copied and no reader using it, which a background checkpoint racing a busy writer rarely achieves.
/// So once the WAL holds four times the threshold (the hard cap) the writer checkpoints itself after its commit — copying
/// only what the background thread has not yet copied, at most about one threshold's worth — and its next transaction
/// restarts the WAL. When that restart does not happen (a reader, or the background pass, held a lock at that moment) or
/// a reader keeps the checkpoint from copying everything, the writer tries again once another threshold's worth of frames
/// has been written. The WAL's size is read, never estimated, so the bound holds however the threads interleave.
/// </para>
/// <para>
/// Crash safety is SQLite's: a checkpoint only copies committed frames, and a WAL left behind by a crash is replayed on
/// open whatever its size.
/// </para>
/// </summary>
internal sealed unsafe partial class SqliteCheckpointer : IDisposable
{
    /// <summary>The writer checkpoints itself once the WAL holds this many times the threshold.</summary>
    internal const int HardCapFactor = 4;

    private const string NativeLibrary = "e_sqlite3";

    private readonly sqlite3 _writer;
    private readonly SqliteConnection _connection;
    private readonly sqlite3 _db;
    private readonly string _databasePath;
    private readonly ILogger _logger;
    private readonly long _thresholdPages;
    private readonly long _hardPages;
    private readonly Thread _thread;
    private readonly SemaphoreSlim _wake = new(0, 1);

    // Native memory the WAL hook writes the WAL's frame count into (SQLite calls it on the writer's thread, inside COMMIT).
    private readonly int* _walFrames;
    private volatile bool _stopping;

    // The writer's thread only (Committed runs under the writer's gate).
    private long _sinceWake;
    private long _nextCallerCheckpoint;

    // Written by the writer's thread only; read by tests and benchmarks from other threads.
    private long _walPages;
    private long _pagesWritten;
    private long _backgroundCheckpoints;
    private long _callerCheckpoints;

    /// <param name="writer">The writer's connection, with <c>wal_autocheckpoint = 0</c> already set (setting it replaces the WAL hook).</param>
    /// <param name="connection">The checkpointer's own connection; this instance disposes it.</param>
    /// <param name="databasePath">For log messages.</param>
    /// <param name="thresholdPages">Frames written between background checkpoints.</param>
    /// <param name="logger">Where failed checkpoints are logged.</param>
    public SqliteCheckpointer(SqliteConnection writer, SqliteConnection connection, string databasePath, int thresholdPages, ILogger logger)
    {
        _writer = writer.Handle ?? throw new InvalidOperationException("The writer connection is not open.");
        _connection = connection;
        _db = connection.Handle ?? throw new InvalidOperationException("The checkpointer connection is not open.");
        _databasePath = databasePath;
        _logger = logger;
        _thresholdPages = thresholdPages;
        _hardPages = (long)thresholdPages * HardCapFactor;
        _nextCallerCheckpoint = _hardPages;

        // The hook is called with the writer's native handle, so it must come from the same native library as ours.
        var library = raw.GetNativeLibraryName();
        if (!string.Equals(library, NativeLibrary, StringComparison.Ordinal))
        {
            throw new EventStoreException(
                $"Event store '{databasePath}': the SQLite event store needs SQLitePCLRaw's '{NativeLibrary}' provider, but '{library}' is in use.");
        }

        _walFrames = (int*)NativeMemory.AllocZeroed(sizeof(int));
        sqlite3_wal_hook(_writer.DangerousGetHandle(), &OnWalCommitted, _walFrames);
        _thread = new Thread(Run) { IsBackground = true, Name = "SQLite checkpointer" };
        _thread.Start();
    }

    /// <summary>The frames the WAL held after the writer's last commit (exact: SQLite's WAL hook reports it).</summary>
    internal long WalPages => Interlocked.Read(ref _walPages);

    /// <summary>WAL frames (pages) the writer has written since the store opened (benchmarks divide it by commits).</summary>
    internal long PagesWritten => Interlocked.Read(ref _pagesWritten);

    /// <summary>Checkpoints the background thread has completed.</summary>
    internal long BackgroundCheckpoints => Interlocked.Read(ref _backgroundCheckpoints);

    /// <summary>Checkpoints the writer ran on a caller's path (the hard cap).</summary>
    internal long CallerCheckpoints => Interlocked.Read(ref _callerCheckpoints);

    /// <summary>
    /// Called by the writer after each commit, outside any transaction and under its gate: counts the frames that commit
    /// wrote, checkpoints on the caller's path past the hard cap, and otherwise wakes the background thread once a
    /// threshold's worth of frames has been written since it last ran.
    /// </summary>
    public void Committed()
    {
        long frames = Volatile.Read(ref *_walFrames);
        var last = _walPages; // only this thread writes it
        long written;
        if (frames < last)
        {
            // The WAL restarted from its start at this commit's transaction: everything in it is new, and the hard cap applies again.
            written = frames;
            _nextCallerCheckpoint = _hardPages;
        }
        else
        {
            written = frames - last;
        }

        Interlocked.Exchange(ref _walPages, frames);
        Interlocked.Add(ref _pagesWritten, written);
        if (frames >= _hardPages && frames >= _nextCallerCheckpoint)
        {
            CheckpointOnCallerPath(frames);
            return;
        }

        _sinceWake += written;
        if (_sinceWake >= _thresholdPages)
        {
            _sinceWake = 0;
            Wake();
        }
    }

    /// <summary>Stops the background thread (waiting for a checkpoint in progress), removes the WAL hook and closes the checkpointer's connection.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        Wake();
        _thread.Join();
        // The writer's connection goes back to the pool after this: SQLite must not call into freed memory on a later commit.
        sqlite3_wal_hook(_writer.DangerousGetHandle(), null, null);
        NativeMemory.Free(_walFrames);
        _connection.Dispose();
        _wake.Dispose();
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnWalCommitted(void* frames, IntPtr db, byte* schema, int walFrames)
    {
        Volatile.Write(ref *(int*)frames, walFrames);
        return raw.SQLITE_OK;
    }

    [LibraryImport(NativeLibrary, EntryPoint = "sqlite3_wal_hook")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    private static partial void* sqlite3_wal_hook(IntPtr db, delegate* unmanaged[Cdecl]<void*, IntPtr, byte*, int, int> callback, void* argument);

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken: the pass about to run copies everything committed by then.
        }
    }

    private void CheckpointOnCallerPath(long frames)
    {
        var rc = raw.sqlite3_wal_checkpoint_v2(_writer, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out _, out _);
        Interlocked.Increment(ref _callerCheckpoints);
        if (rc != raw.SQLITE_OK && rc != raw.SQLITE_BUSY)
        {
            SqliteLog.CheckpointFailed(_logger, null, _databasePath, rc);
        }

        // It copied what the background thread was waiting for. Whether it copied everything or not (a reader holds frames,
        // another connection was checkpointing), the next try comes a threshold's worth of frames later: by then the WAL
        // has restarted (and the hard cap applies again) or the restart was missed and the WAL holds that much more.
        _sinceWake = 0;
        _nextCallerCheckpoint = frames + _thresholdPages;
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

            CheckpointPass();
        }
    }

    /// <summary>One PASSIVE checkpoint on the checkpointer's connection; failures are logged (the hard cap still bounds the WAL).</summary>
    private void CheckpointPass()
    {
        int rc;
        try
        {
            rc = raw.sqlite3_wal_checkpoint_v2(_db, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out _, out _);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SqliteLog.CheckpointFailed(_logger, ex, _databasePath, -1);
            return;
        }

        if (rc == raw.SQLITE_OK)
        {
            Interlocked.Increment(ref _backgroundCheckpoints);
        }
        else if (rc != raw.SQLITE_BUSY)
        {
            // BUSY: another connection (the writer at its hard cap, another process) is checkpointing; anything else is logged.
            SqliteLog.CheckpointFailed(_logger, null, _databasePath, rc);
        }
    }
}
