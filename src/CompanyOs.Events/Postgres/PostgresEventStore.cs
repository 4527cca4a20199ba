using System.Runtime.CompilerServices;
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
public sealed class PostgresEventStore : IEventStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresAppender _appender;
    private readonly PostgresEventQueries _queries;
    private readonly AppendSignal _signal = new();
    private readonly EventStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly string _where;

    private PostgresEventStore(NpgsqlDataSource dataSource, PostgresEventStoreOptions options, TimeProvider timeProvider, string where)
    {
        _dataSource = dataSource;
        _appender = new PostgresAppender(dataSource, options.Schema);
        _queries = new PostgresEventQueries(dataSource, options.Schema);
        _options = options.Common;
        _timeProvider = timeProvider;
        _where = where;
    }

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
            return new PostgresEventStore(dataSource, options, timeProvider ?? TimeProvider.System, where);
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

    /// <inheritdoc />
    public async Task<AppendResult> AppendAsync(
        string streamId, ExpectedVersion expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        var prepared = AppendValidator.Prepare(streamId, events, _options);
        cancellationToken.ThrowIfCancellationRequested();
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
            var page = await Run("reading a stream", ct => _queries.ReadStreamPageAsync(streamId, next, _options.ReadPageSize, ct), cancellationToken)
                .ConfigureAwait(false);
            foreach (var e in page)
            {
                yield return e;
            }

            if (page.Count < _options.ReadPageSize)
            {
                yield break;
            }

            next = page[^1].Version + 1;
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
        return Run("reading a stream version", ct => _queries.GetStreamVersionAsync(streamId, ct), cancellationToken);
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
            var page = await Run("listing streams", ct => _queries.ListStreamsPageAsync(prefix, orgId, after, _options.ReadPageSize, ct), cancellationToken)
                .ConfigureAwait(false);
            foreach (var info in page)
            {
                yield return info;
            }

            if (page.Count < _options.ReadPageSize)
            {
                yield break;
            }

            after = page[^1].StreamId;
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private Task<EventPage> ReadPageAsync(long after, EventFilter? filter, int maxCount, CancellationToken cancellationToken)
        => Run("reading all events", ct => _queries.ReadAllPageAsync(after, filter, maxCount, ct), cancellationToken);

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
