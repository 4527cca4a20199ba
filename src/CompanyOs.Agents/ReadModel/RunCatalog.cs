using System.Text.Json;
using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Events;
using CompanyOs.Events.Postgres;
using CompanyOs.Events.Sqlite;

namespace CompanyOs.Agents.ReadModel;

/// <summary>
/// The run read model over an <see cref="IEventStore"/>. The projection lives next to the events — a <c>run_summaries</c>
/// table in the same SQLite file or PostgreSQL schema, its checkpoint (a global position) written in the same transaction
/// as its rows — so it survives restarts and is shared by every process on the store. Any other store gets a projection
/// kept in memory, built from the events on first use. Each run touched by new events is re-folded
/// (<see cref="RunState"/>) and its row replaced; a checkpoint moves only from the value a projector read, so several
/// projectors (processes, server instances) can catch up at once without double-applying or losing events.
/// </summary>
public sealed class RunCatalog : IRunCatalog, IAsyncDisposable
{
    private readonly IEventStore _store;
    private readonly IRunTable _table;
    private readonly RunCatalogOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _created;

    private RunCatalog(IEventStore store, IRunTable table, RunCatalogOptions options, TimeProvider time)
    {
        _store = store;
        _table = table;
        _options = options;
        _time = time;
    }

    /// <summary>
    /// A catalog over <paramref name="store"/>: persistent for <see cref="SqliteEventStore"/> and
    /// <see cref="PostgresEventStore"/>, in memory otherwise. Nothing is read or created until the first call.
    /// </summary>
    public static RunCatalog For(IEventStore store, RunCatalogOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new RunCatalogOptions();
        options.Validate();
        IRunTable table = store switch
        {
            SqliteEventStore sqlite => SqlRunTable.ForSqlite(sqlite),
            PostgresEventStore postgres => SqlRunTable.ForPostgres(postgres),
            _ => new InMemoryRunTable(),
        };
        return new RunCatalog(store, table, options, timeProvider ?? TimeProvider.System);
    }

    /// <inheritdoc />
    public async Task<RunPage> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > RunQuery.MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, $"RunQuery.Limit must be between 1 and {RunQuery.MaxLimit} (was {query.Limit}).");
        }

        if (query.From is { } from && query.To is { } to && from > to)
        {
            throw new ArgumentException($"RunQuery.From ({from:O}) is after RunQuery.To ({to:O}).", nameof(query));
        }

        if (query.Status == RunStatus.None)
        {
            throw new ArgumentException("RunQuery.Status 'None' is not a status a stored run can have.", nameof(query));
        }

        long? before = query.After is null ? null : RunCursor.Decode(query.After);
        await CatchUpAsync(_options.MaxCatchUpEvents, cancellationToken).ConfigureAwait(false);
        var rows = await _table.QueryAsync(query, before, query.Limit + 1, cancellationToken).ConfigureAwait(false);
        var items = rows.Take(query.Limit).Select(r => r.Summary).ToArray();
        var next = rows.Count > query.Limit ? RunCursor.Encode(rows[query.Limit - 1].StartPosition) : null;
        return new RunPage(items, next);
    }

    /// <inheritdoc />
    public async Task<RunSummary?> GetSummaryAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        await CatchUpAsync(_options.MaxCatchUpEvents, cancellationToken).ConfigureAwait(false);
        return (await _table.GetAsync(runId, cancellationToken).ConfigureAwait(false))?.Summary;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PendingApproval>> ListPendingDecisionsAsync(string? orgId, CancellationToken cancellationToken = default)
    {
        await CatchUpAsync(_options.MaxCatchUpEvents, cancellationToken).ConfigureAwait(false);
        var rows = await _table.ListPendingAsync(orgId, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        return
        [
            .. rows
                .SelectMany(r => r.PendingJson is null ? [] : JsonSerializer.Deserialize(r.PendingJson, ReadModelJsonContext.Default.ListPendingApproval) ?? [])
                .Where(p => p.ExpiresAt is null || p.ExpiresAt > now)
                .OrderBy(p => p.RequestedAt)
                .ThenBy(p => p.RunId, StringComparer.Ordinal)
                .ThenBy(p => p.Id, StringComparer.Ordinal),
        ];
    }

    /// <inheritdoc />
    public async Task<long> CatchUpAsync(int maxEvents = int.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxEvents);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            return await CatchUpLockedAsync(maxEvents, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<long> RebuildAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            await _table.ResetAsync(cancellationToken).ConfigureAwait(false);
            return await CatchUpLockedAsync(int.MaxValue, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the catalog's connections (not the store).</summary>
    public async ValueTask DisposeAsync()
    {
        await _table.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (!_created)
        {
            await _table.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            _created = true;
        }
    }

    // Bounds a catch-up that keeps losing to other projectors (they are doing the work meanwhile).
    private const int MaxLostRaces = 100;

    private async Task<long> CatchUpLockedAsync(int maxEvents, CancellationToken cancellationToken)
    {
        var remaining = maxEvents;
        var lost = 0;
        var checkpoint = await _table.ReadCheckpointAsync(cancellationToken).ConfigureAwait(false);
        while (remaining > 0 && lost < MaxLostRaces)
        {
            var batch = new List<RecordedEvent>();
            await foreach (var e in _store.ReadAllAsync(checkpoint.Position, null, Math.Min(remaining, _options.BatchSize), cancellationToken).ConfigureAwait(false))
            {
                batch.Add(e);
            }

            if (batch.Count == 0)
            {
                break;
            }

            var rows = await ProjectAsync(batch, cancellationToken).ConfigureAwait(false);
            var to = batch[^1].Position;
            if (await _table.CommitAsync(checkpoint, to, rows, cancellationToken).ConfigureAwait(false))
            {
                checkpoint = checkpoint with { Position = to };
                remaining -= batch.Count;
            }
            else
            {
                // Another projector moved the checkpoint (or a rebuild started): carry on from where it stands now.
                checkpoint = await _table.ReadCheckpointAsync(cancellationToken).ConfigureAwait(false);
                lost++;
            }
        }

        return checkpoint.Position;
    }

    /// <summary>The new rows of the runs touched by <paramref name="batch"/>, each from a fold of its stream.</summary>
    private async Task<IReadOnlyList<RunRow>> ProjectAsync(List<RecordedEvent> batch, CancellationToken cancellationToken)
    {
        var rows = new List<RunRow>();
        foreach (var group in batch.Where(e => e.StreamId.StartsWith(RunEventCodec.StreamPrefix, StringComparison.Ordinal)).GroupBy(e => e.StreamId, StringComparer.Ordinal))
        {
            var events = group.ToList();
            // A stream wholly inside the batch folds from it; one begun earlier is read back from the store.
            if (events[0].Version != 0 || events[^1].Version - events[0].Version != events.Count - 1)
            {
                events = [];
                await foreach (var e in _store.ReadStreamAsync(group.Key, 0, cancellationToken).ConfigureAwait(false))
                {
                    events.Add(e);
                }
            }

            if (events.Count == 0 || events[0].Version != 0)
            {
                continue;
            }

            var state = RunState.From(events);
            if (state.Start is not null && state.RunId == group.Key[RunEventCodec.StreamPrefix.Length..])
            {
                rows.Add(ToRow(state, events[0].Position));
            }
        }

        return rows;
    }

    private static RunRow ToRow(RunState state, long startPosition)
    {
        var start = state.Start!;
        var pending = state.Status.IsTerminal() ? [] : PendingApprovals.From(state);
        var summary = new RunSummary
        {
            RunId = state.RunId,
            OrgId = state.OrgId,
            AgentType = start.AgentType,
            Status = state.Status,
            Task = Cut(start.Task),
            TaskId = start.TaskId,
            Capability = start.Capability,
            PromptName = start.PromptName,
            PromptVersion = start.PromptVersion,
            Iterations = state.Iterations,
            InputTokens = state.InputTokens,
            OutputTokens = state.OutputTokens,
            TotalTokens = state.TotalTokens,
            CostUsd = state.CostUsd,
            CostIncomplete = state.CostIncomplete,
            Emulated = start.Emulated,
            PendingCount = pending.Count,
            Error = state.Error is null ? null : Cut(state.Error),
            CreatedAt = state.StartedAt,
            UpdatedAt = state.UpdatedAt,
            EndedAt = state.EndedAt,
            Version = state.Version,
        };
        var json = pending.Count == 0 ? null : JsonSerializer.Serialize(pending.ToList(), ReadModelJsonContext.Default.ListPendingApproval);
        return new RunRow(summary, startPosition, json);
    }

    private static string Cut(string text) =>
        text.Length <= RunSummary.MaxTaskLength ? text : string.Concat(text.AsSpan(0, RunSummary.MaxTaskLength - 1), "…");
}
