using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Leases;
using CompanyOs.Agents.ReadModel;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Steps;
using CompanyOs.Events;
using CompanyOs.Events.Sqlite;

namespace CompanyOs.Cli.Commands.Runs;

/// <summary>Reads runs for the commands that only look: lists from the run read model, one run's steps from its stream.</summary>
internal sealed class RunReader : IAsyncDisposable
{
    private readonly SqliteEventStore _store;
    private readonly RunCatalog _catalog;

    private RunReader(SqliteEventStore store)
    {
        _store = store;
        _catalog = RunCatalog.For(store);
    }

    /// <summary>The run read model over the store.</summary>
    public RunCatalog Catalog => _catalog;

    /// <summary>
    /// Runs of the read model, newest first: of <paramref name="orgId"/> (or all), with <paramref name="status"/> and
    /// <paramref name="agentType"/> when given, at most <paramref name="limit"/>. <paramref name="keep"/> filters further
    /// (e.g. interrupted runs) before the limit applies.
    /// </summary>
    public async Task<IReadOnlyList<RunSummary>> ListSummariesAsync(
        string? orgId, RunStatus? status, string? agentType, int? limit, Func<RunSummary, Task<bool>>? keep, CancellationToken cancellationToken)
    {
        var wanted = limit ?? int.MaxValue;
        var result = new List<RunSummary>();
        var query = new RunQuery { OrgId = orgId, Status = status, AgentType = agentType, Limit = Math.Min(wanted, RunQuery.MaxLimit) };
        while (result.Count < wanted)
        {
            var page = await _catalog.ListRunsAsync(query, cancellationToken).ConfigureAwait(false);
            foreach (var run in page.Items)
            {
                if (result.Count < wanted && (keep is null || await keep(run).ConfigureAwait(false)))
                {
                    result.Add(run);
                }
            }

            if (page.NextCursor is null)
            {
                break;
            }

            query = query with { After = page.NextCursor };
        }

        return result;
    }

    public static async Task<RunReader> OpenAsync(string path, CancellationToken cancellationToken) =>
        new(await Hosting.EventStoreFile.OpenAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>Every run (of <paramref name="orgId"/>, or all), newest first, each folded from its stream (for <c>stats</c>, which needs every call).</summary>
    public async Task<IReadOnlyList<RunState>> ListAsync(string? orgId, CancellationToken cancellationToken)
    {
        var runs = new List<RunState>();
        await foreach (var stream in _store.ListStreamsAsync(RunEventCodec.StreamPrefix, orgId, cancellationToken).ConfigureAwait(false))
        {
            var (state, _) = await ReadAsync(stream.StreamId[RunEventCodec.StreamPrefix.Length..], cancellationToken).ConfigureAwait(false);
            if (state.Status != RunStatus.None)
            {
                runs.Add(state);
            }
        }

        return [.. runs.OrderByDescending(r => r.StartedAt)];
    }

    /// <summary>The folded state and the steps of one run (state <see cref="RunStatus.None"/> when it does not exist).</summary>
    public async Task<(RunState State, IReadOnlyList<AgentStep> Steps)> ReadAsync(string runId, CancellationToken cancellationToken)
    {
        var state = RunState.Empty;
        var steps = new List<AgentStep>();
        await foreach (var recorded in _store.ReadStreamAsync(RunEventCodec.StreamId(runId), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            state = state.Apply(recorded);
            if (RunEventCodec.Deserialize(recorded) is { } @event)
            {
                steps.Add(new AgentStep(runId, recorded.Version, AgentStep.KindOf(@event), @event));
            }
        }

        return (state, steps);
    }

    /// <summary>
    /// The full id of the run <paramref name="idOrPrefix"/> names: itself when such a run exists, else the one run whose id
    /// starts with it (so the short ids <c>runs</c> shows work everywhere); null when none does.
    /// </summary>
    /// <exception cref="Errors.CliUsageException">The prefix fits several runs (they are listed).</exception>
    public async Task<string?> ResolveAsync(string idOrPrefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(idOrPrefix);
        if (await _store.GetStreamVersionAsync(RunEventCodec.StreamId(idOrPrefix), cancellationToken).ConfigureAwait(false) is not null)
        {
            return idOrPrefix;
        }

        var matches = new List<string>();
        await foreach (var stream in _store.ListStreamsAsync(RunEventCodec.StreamId(idOrPrefix), null, cancellationToken).ConfigureAwait(false))
        {
            // The store's prefix match may treat '_' or '%' as wildcards; only true prefixes count.
            var id = stream.StreamId[RunEventCodec.StreamPrefix.Length..];
            if (id.StartsWith(idOrPrefix, StringComparison.Ordinal))
            {
                matches.Add(id);
            }
        }

        return matches.Count switch
        {
            0 => null,
            1 => matches[0],
            _ => throw new Errors.CliUsageException(
                $"'{idOrPrefix}' fits {matches.Count} runs ({string.Join(", ", matches.Order(StringComparer.Ordinal).Take(5))}{(matches.Count > 5 ? ", …" : string.Empty)}); give more of the id."),
        };
    }

    /// <summary>
    /// True when the run is stored as running but no process holds its lease (it was interrupted: Ctrl+C, kill -9, a
    /// crash; a lease runs out within 30 s of its holder dying), so nothing will drive it until <c>resume</c>.
    /// </summary>
    public async Task<bool> IsInterruptedAsync(RunState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        return await IsInterruptedAsync(state.RunId, state.Status, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="IsInterruptedAsync(RunState, CancellationToken)"/>
    public async Task<bool> IsInterruptedAsync(string runId, RunStatus status, CancellationToken cancellationToken)
    {
        if (status != RunStatus.Running)
        {
            return false;
        }

        var leases = new RunLeases(_store, "companyos-cli-reader", new AgentRuntimeOptions().LeaseDuration, TimeProvider.System);
        return await leases.GetHolderAsync(runId, cancellationToken).ConfigureAwait(false) is null;
    }

    public async ValueTask DisposeAsync()
    {
        // The catalog's connections first: the store's dispose must leave the file free to move or delete.
        await _catalog.DisposeAsync().ConfigureAwait(false);
        await _store.DisposeAsync().ConfigureAwait(false);
    }
}
