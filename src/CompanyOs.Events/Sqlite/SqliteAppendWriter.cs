using System.Collections.Concurrent;
using CompanyOs.Events.Serialization;
using CompanyOs.Events.Subscriptions;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Sqlite;

/// <summary>
/// Serializes this process's appends onto one writer connection and commits whatever appends are waiting in one
/// transaction (group commit): one fsync for the group. Each append runs in its own savepoint, so an append that conflicts
/// or that the database refuses is undone alone and the others of its group are still committed; an error that ends the
/// transaction (or the commit failing) fails the whole group, which is rolled back.
/// No caller is answered before the commit that holds its events has returned. Other processes are kept out by
/// SQLite's write lock (BEGIN IMMEDIATE + busy_timeout).
/// </summary>
internal sealed class SqliteAppendWriter : IDisposable
{
    private const int MaxEventsPerCommit = 20_000;

    private readonly ConcurrentQueue<SqliteAppendRequest> _queue = new();

    // The group being committed and each of its appends' outcome (a result or an error), in order; reused from group to
    // group (only the appender holding the gate touches them), so a lone append allocates neither.
    private readonly List<SqliteAppendRequest> _group = [];
    private readonly List<(AppendResult Result, Exception? Error)> _outcomes = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SqliteConnection _connection;
    private readonly SqliteWriterCommands _commands;
    private readonly string _databasePath;
    private readonly TimeProvider _timeProvider;
    private readonly AppendSignal _signal;
    private readonly SqliteCheckpointer _checkpointer;
    private bool _disposed;
    private long _committedGroups;

    public SqliteAppendWriter(
        SqliteConnection connection, SqliteCheckpointer checkpointer, string databasePath, TimeProvider timeProvider, AppendSignal signal)
    {
        _connection = connection;
        _checkpointer = checkpointer;
        _commands = new SqliteWriterCommands(connection);
        _databasePath = databasePath;
        _timeProvider = timeProvider;
        _signal = signal;
    }

    /// <summary>Appends waiting for the next group (for tests that need several appends in one group).</summary>
    internal int Pending => _queue.Count;

    /// <summary>True while an appender is committing (or about to): appends arriving now wait for the next group.</summary>
    internal bool Committing => _gate.CurrentCount == 0;

    /// <summary>Transactions committed so far, each holding one group of appends.</summary>
    internal long CommittedGroups => Interlocked.Read(ref _committedGroups);

    /// <summary>Streams whose version the writer remembers from its own appends (tests).</summary>
    internal int RememberedStreams => _commands.RememberedStreams;

    /// <summary>The writer's connection (tests read its settings; never use it while appends may run).</summary>
    internal SqliteConnection Connection => _connection;

    /// <summary>The WAL's checkpoints (tests look at its estimate and its counts).</summary>
    internal SqliteCheckpointer Checkpointer => _checkpointer;

    public async Task<AppendResult> AppendAsync(SqliteAppendRequest request)
    {
        _queue.Enqueue(request);

        // A caller cancelled while waiting here leaves its request queued; the next leader skips it.
        await _gate.WaitAsync(request.CancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            while (!request.Completion.Task.IsCompleted)
            {
                CommitNextGroup();
            }
        }
        finally
        {
            _gate.Release();
        }

        return await request.Completion.Task.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _checkpointer.Dispose();
            _commands.Dispose();
            _connection.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    private void CommitNextGroup()
    {
        try
        {
            CommitGroup(_group);
        }
        finally
        {
            // Answered (or failed) by now: drop the references until the next group.
            _group.Clear();
            _outcomes.Clear();
        }
    }

    private void CommitGroup(List<SqliteAppendRequest> group)
    {
        var outcomes = _outcomes;
        var events = 0;
        while (_queue.TryPeek(out var next) && (group.Count == 0 || events + next.Events.Length <= MaxEventsPerCommit))
        {
            _queue.TryDequeue(out _);
            if (next.CancellationToken.IsCancellationRequested)
            {
                next.Completion.TrySetCanceled(next.CancellationToken);
                continue;
            }

            group.Add(next);
            events += next.Events.Length;
        }

        if (group.Count == 0)
        {
            return;
        }

        var wrote = false;
        // A lone one-event append is its own transaction: whatever fails in it is undone by rolling the transaction back, so
        // it needs no savepoint (two statements less, and no copy of every page it touches into the statement journal).
        var savepoints = group.Count > 1 || group[0].Events.Length > 1;
        try
        {
            _commands.Begin();
            try
            {
                var now = UnixMicros.From(_timeProvider.GetUtcNow());
                for (var i = 0; i < group.Count; i++)
                {
                    var request = group[i];
                    if (savepoints)
                    {
                        _commands.Savepoint();
                    }

                    try
                    {
                        var (result, written) = _commands.Append(request, now, savepoints);
                        if (savepoints)
                        {
                            _commands.Release();
                        }

                        wrote |= written;
                        outcomes.Add((result, null));
                    }
                    catch (ConcurrencyException conflict)
                    {
                        // Without a savepoint (one event) the conflict is found before anything is written; with one, undo and close it.
                        if (savepoints && !_commands.TryUndo())
                        {
                            throw;
                        }

                        outcomes.Add((default, conflict));
                    }
                    catch (SqliteException ex)
                    {
                        // This append alone failed (say, a constraint or a trigger refused one of its events): undo it and go on
                        // with the others. When the error ended the transaction, nothing can be undone: the whole group fails —
                        // as does a lone append without a savepoint, whose group is just itself.
                        if (!savepoints || !_commands.TryUndo())
                        {
                            throw;
                        }

                        outcomes.Add((default, SqliteErrors.Translate(ex, _databasePath, "append")));
                    }
                }

                _commands.Commit();
                Interlocked.Increment(ref _committedGroups);
            }
            catch
            {
                TryRollback();
                throw;
            }
        }
        catch (SqliteException ex)
        {
            Fail(group, SqliteErrors.Translate(ex, _databasePath, "append"));
            return;
        }
        catch (Exception ex)
        {
            // Every dequeued request must be answered, or its owner would wait forever; the leader's own caller sees it too.
            Fail(group, new EventStoreException($"Event store '{_databasePath}': append failed: {ex.Message}", ex));
            throw;
        }

        for (var i = 0; i < group.Count; i++)
        {
            var (result, error) = outcomes[i];
            if (error is null)
            {
                group[i].Completion.TrySetResult(result);
            }
            else
            {
                group[i].Completion.TrySetException(error);
            }
        }

        // After the callers are answered: past the hard cap this checkpoints on this leader's path (the WAL stays bounded);
        // otherwise it only counts the frames and, a threshold's worth later, wakes the background checkpointer.
        _checkpointer.Committed();

        if (wrote)
        {
            _signal.Notify();
        }
    }

    private void TryRollback()
    {
        try
        {
            SqliteSchema.Execute(_connection, "ROLLBACK");
        }
        catch (SqliteException)
        {
            // No transaction left to roll back (SQLite already rolled it back on the error): nothing to do.
        }
    }

    private static void Fail(List<SqliteAppendRequest> group, Exception error)
    {
        foreach (var request in group)
        {
            request.Completion.TrySetException(error);
        }
    }
}
