using CompanyOs.Events.Appending;
using CompanyOs.Events.Subscriptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CompanyOs.Events.Postgres;

/// <summary>
/// The scale-out <see cref="IEventStore"/> on PostgreSQL: many processes may append and read concurrently. Open with
/// <see cref="OpenAsync"/>; dispose to close its connection pool.
/// </summary>
public sealed class PostgresEventStore : PagedEventStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresAppender _appender;
    private readonly PostgresEventQueries _queries;
    private readonly PostgresSafePosition _safePosition;
    private readonly AppendSignal _signal;
    private readonly TimeProvider _timeProvider;
    private readonly string _where;

    private PostgresEventStore(NpgsqlDataSource dataSource, PostgresEventStoreOptions options, TimeProvider timeProvider, string where, AppendSignal signal)
        : base(options.Common, timeProvider, signal)
    {
        _dataSource = dataSource;
        _appender = new PostgresAppender(dataSource, options.Schema);
        _safePosition = new PostgresSafePosition(options.Schema, options.InFlightWait);
        _queries = new PostgresEventQueries(dataSource, options.Schema, _safePosition);
        _signal = signal;
        _timeProvider = timeProvider;
        _where = where;
        Schema = options.Schema;
    }

    /// <summary>The schema holding the store's tables; read models kept next to the events (e.g. the runs table) use it too.</summary>
    public string Schema { get; }

    /// <summary>The store's connection pool, shared with read models kept in the same database. Owned by the store.</summary>
    public NpgsqlDataSource DataSource => _dataSource;

    /// <summary>Where the store is, for messages: host, port, database and schema; never the password.</summary>
    public string Location => _where;

    /// <summary>Connects, creates the schema when missing and migrates it.</summary>
    /// <exception cref="EventStoreException">The server cannot be reached, refuses, or holds a newer schema.</exception>
    public static async Task<PostgresEventStore> OpenAsync(
        PostgresEventStoreOptions options, TimeProvider? timeProvider = null, ILogger<PostgresEventStore>? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        var where = $"postgresql://{builder.Host}:{builder.Port}/{builder.Database} schema {options.Schema}";
        var dataSource = NpgsqlDataSource.Create(builder);
        try
        {
            var from = await PostgresSchema.MigrateAsync(dataSource, options.Schema, where, cancellationToken).ConfigureAwait(false);
            PostgresLog.Opened(logger ?? (ILogger)NullLogger.Instance, where, from, PostgresSchema.CurrentVersion);
            return new PostgresEventStore(dataSource, options, timeProvider ?? TimeProvider.System, where, new AppendSignal());
        }
        catch (NpgsqlException ex)
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw PostgresErrors.Translate(ex, where, "opening");
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        _safePosition.Dispose();
        return _dataSource.DisposeAsync();
    }

    private protected override async Task<AppendResult> AppendPreparedAsync(
        string streamId, ExpectedVersion expectedVersion, PreparedEvent[] prepared, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _appender.AppendAsync(streamId, expectedVersion, prepared, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            _signal.Notify();
            return result;
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, _where, $"appending to stream '{streamId}'");
        }
    }

    private protected override async Task<IReadOnlyList<RecordedEvent>> ReadStreamPageAsync(
        string streamId, long fromVersion, int maxCount, CancellationToken cancellationToken)
        => await Run("reading a stream", ct => _queries.ReadStreamPageAsync(streamId, fromVersion, maxCount, ct), cancellationToken).ConfigureAwait(false);

    private protected override Task<EventPage> ReadAllPageAsync(long after, EventFilter? filter, int maxCount, CancellationToken cancellationToken)
        => Run("reading all events", ct => _queries.ReadAllPageAsync(after, filter, maxCount, ct), cancellationToken);

    private protected override Task<long?> ReadStreamVersionAsync(string streamId, CancellationToken cancellationToken)
        => Run("reading a stream version", ct => _queries.GetStreamVersionAsync(streamId, ct), cancellationToken);

    private protected override async Task<IReadOnlyList<StreamInfo>> ListStreamsPageAsync(
        string prefix, string? orgId, string? afterStreamId, int maxCount, CancellationToken cancellationToken)
        => await Run("listing streams", ct => _queries.ListStreamsPageAsync(prefix, orgId, afterStreamId, maxCount, ct), cancellationToken).ConfigureAwait(false);

    private async Task<T> Run<T>(string operation, Func<CancellationToken, Task<T>> query, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return await query(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, _where, operation);
        }
    }
}
