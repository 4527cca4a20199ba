using System.Runtime.CompilerServices;
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
public sealed class SqliteEventStore : IEventStore, IAsyncDisposable, IDisposable
{
    private readonly SqliteConnections _connections;
    private readonly SqliteEventQueries _queries;
    private readonly SqliteAppendWriter _writer;
    private readonly AppendSignal _signal;
    private readonly EventStoreOptions _options;
    private readonly TimeProvider _timeProvider;

    private SqliteEventStore(SqliteConnections connections, SqliteAppendWriter writer, AppendSignal signal, EventStoreOptions options, TimeProvider timeProvider)
    {
        _connections = connections;
        _queries = new SqliteEventQueries(connections);
        _writer = writer;
        _signal = signal;
        _options = options;
        _timeProvider = timeProvider;
    }

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath => _connections.DatabasePath;

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
        try
        {
            connection = connections.OpenWriter();
            var from = SqliteSchema.Migrate(connection, connections.DatabasePath, UnixMicros.From(timeProvider.GetUtcNow()));
            SqliteLog.Opened(logger ?? (ILogger)NullLogger.Instance, connections.DatabasePath, from, SqliteSchema.CurrentVersion, options.Durability);
            var signal = new AppendSignal();
            var writer = new SqliteAppendWriter(connection, connections.DatabasePath, timeProvider, signal);
            return Task.FromResult(new SqliteEventStore(connections, writer, signal, options.Common, timeProvider));
        }
        catch (SqliteException ex)
        {
            connection?.Dispose();
            throw SqliteErrors.Translate(ex, connections.DatabasePath, "opening");
        }
        catch
        {
            connection?.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public Task<AppendResult> AppendAsync(
        string streamId, ExpectedVersion expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        var prepared = AppendValidator.Prepare(streamId, events, _options);
        cancellationToken.ThrowIfCancellationRequested();
        return _writer.AppendAsync(new SqliteAppendRequest(streamId, expectedVersion, prepared, cancellationToken));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(
        string streamId, long fromVersion = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        AppendValidator.ValidateStreamId(streamId, _options);
        ArgumentOutOfRangeException.ThrowIfNegative(fromVersion);
        var next = fromVersion;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = Run("reading a stream", () => _queries.ReadStreamPage(streamId, next, _options.ReadPageSize));
            foreach (var e in page)
            {
                yield return e;
            }

            if (page.Count < _options.ReadPageSize)
            {
                yield break;
            }

            next = page[^1].Version + 1;
            await Task.Yield();
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<RecordedEvent> ReadAllAsync(
        long fromPosition = 0, EventFilter? filter = null, int maxCount = int.MaxValue, CancellationToken cancellationToken = default)
        => GlobalReader.ReadAllAsync(ReadPageAsync, _options.ReadPageSize, fromPosition, filter, maxCount, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<RecordedEvent> SubscribeAsync(
        long fromPosition = 0, EventFilter? filter = null, CancellationToken cancellationToken = default)
        => GlobalReader.SubscribeAsync(ReadPageAsync, _signal, _timeProvider, _options, fromPosition, filter, cancellationToken);

    /// <inheritdoc />
    public Task<long?> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default)
    {
        AppendValidator.ValidateStreamId(streamId, _options);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Run("reading a stream version", () => _queries.GetStreamVersion(streamId)));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StreamInfo> ListStreamsAsync(
        string prefix, string? orgId = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        AppendValidator.ValidatePrefix(prefix, _options, nameof(prefix));
        string? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = Run("listing streams", () => _queries.ListStreamsPage(prefix, orgId, after, _options.ReadPageSize));
            foreach (var info in page)
            {
                yield return info;
            }

            if (page.Count < _options.ReadPageSize)
            {
                yield break;
            }

            after = page[^1].StreamId;
            await Task.Yield();
        }
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

    private Task<EventPage> ReadPageAsync(long after, EventFilter? filter, int maxCount, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Run("reading all events", () => _queries.ReadAllPage(after, filter, maxCount)));
    }

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
