using CompanyOs.Events.Appending;
using CompanyOs.Events.Serialization;
using CompanyOs.Events.Subscriptions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CompanyOs.Events.Sqlite;

/// <summary>
/// The embedded default <see cref="IEventStore"/>: one SQLite file in WAL mode. Safe for many threads and for several
/// processes on the same file. Open with <see cref="OpenAsync"/>; dispose to close the file.
/// </summary>
public sealed class SqliteEventStore : PagedEventStore, IAsyncDisposable, IDisposable
{
    private readonly SqliteConnections _connections;
    private readonly SqliteEventQueries _queries;
    private readonly SqliteAppendWriter _writer;

    private SqliteEventStore(SqliteConnections connections, SqliteAppendWriter writer, AppendSignal signal, EventStoreOptions options, TimeProvider timeProvider)
        : base(options, timeProvider, signal)
    {
        _connections = connections;
        _queries = new SqliteEventQueries(connections);
        _writer = writer;
    }

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath => _connections.DatabasePath;

    /// <summary>The group-commit writer (tests look at its queue and its commits).</summary>
    internal SqliteAppendWriter Writer => _writer;

    /// <summary>Opens (creating when missing) the database file and brings its schema up to date.</summary>
    /// <exception cref="EventStoreException">The file cannot be opened, is not a SQLite database, or has a newer schema.</exception>
    public static Task<SqliteEventStore> OpenAsync(
        SqliteEventStoreOptions options, TimeProvider? timeProvider = null, ILogger<SqliteEventStore>? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        timeProvider ??= TimeProvider.System;
        var connections = new SqliteConnections(options);
        var directory = Path.GetDirectoryName(connections.DatabasePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        SqliteConnection? connection = null;
        SqliteConnection? checkpoints = null;
        SqliteCheckpointer? checkpointer = null;
        try
        {
            connection = connections.OpenWriter();
            var from = SqliteSchema.Migrate(connection, connections.DatabasePath, UnixMicros.From(timeProvider.GetUtcNow()));
            var log = logger ?? (ILogger)NullLogger.Instance;
            SqliteLog.Opened(log, connections.DatabasePath, from, SqliteSchema.CurrentVersion, options.Durability);
            checkpoints = connections.OpenCheckpointer();
            checkpointer = new SqliteCheckpointer(connection, checkpoints, connections.DatabasePath, options.WalCheckpointPages, log);
            var signal = new AppendSignal();
            var writer = new SqliteAppendWriter(connection, checkpointer, connections.DatabasePath, timeProvider, signal);
            return Task.FromResult(new SqliteEventStore(connections, writer, signal, options.Common, timeProvider));
        }
        catch (SqliteException ex)
        {
            Close(checkpointer, checkpoints, connection);
            throw SqliteErrors.Translate(ex, connections.DatabasePath, "opening");
        }
        catch
        {
            Close(checkpointer, checkpoints, connection);
            throw;
        }
    }

    /// <summary>Undoes a failed open: the checkpointer first (its thread, and the WAL hook on the pooled writer connection).</summary>
    private static void Close(SqliteCheckpointer? checkpointer, SqliteConnection? checkpoints, SqliteConnection? connection)
    {
        checkpointer?.Dispose();
        checkpoints?.Dispose();
        connection?.Dispose();
    }

    public void Dispose()
    {
        _writer.Dispose();
        _connections.ClearPool();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private protected override Task<AppendResult> AppendPreparedAsync(
        string streamId, ExpectedVersion expectedVersion, PreparedEvent[] prepared, CancellationToken cancellationToken)
        => _writer.AppendAsync(new SqliteAppendRequest(streamId, expectedVersion, prepared, cancellationToken));

    private protected override Task<IReadOnlyList<RecordedEvent>> ReadStreamPageAsync(
        string streamId, long fromVersion, int maxCount, CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<RecordedEvent>>(Run("reading a stream", () => _queries.ReadStreamPage(streamId, fromVersion, maxCount)));

    private protected override Task<EventPage> ReadAllPageAsync(long after, EventFilter? filter, int maxCount, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Run("reading all events", () => _queries.ReadAllPage(after, filter, maxCount)));
    }

    private protected override Task<long?> ReadStreamVersionAsync(string streamId, CancellationToken cancellationToken)
        => Task.FromResult(Run("reading a stream version", () => _queries.GetStreamVersion(streamId)));

    private protected override Task<IReadOnlyList<StreamInfo>> ListStreamsPageAsync(
        string prefix, string? orgId, string? afterStreamId, int maxCount, CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<StreamInfo>>(Run("listing streams", () => _queries.ListStreamsPage(prefix, orgId, afterStreamId, maxCount)));

    private T Run<T>(string operation, Func<T> query)
    {
        try
        {
            return query();
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Translate(ex, _connections.DatabasePath, operation);
        }
    }
}
