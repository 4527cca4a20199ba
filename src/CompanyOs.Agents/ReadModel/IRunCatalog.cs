using CompanyOs.Agents.Approvals;

namespace CompanyOs.Agents.ReadModel;

/// <summary>
/// The run read model: lists runs and pending decisions from a projection (a runs table kept from the event store's global
/// position, rebuildable from the events) instead of re-folding every run stream. Every query first catches up with the
/// store (bounded by <see cref="RunCatalogOptions.MaxCatchUpEvents"/>), so a caller sees the runs it has just written.
/// Obtain one with <see cref="RunCatalog.For"/> over the runs' <see cref="Events.IEventStore"/>, or from
/// <see cref="Runtime.AgentRuntime.Runs"/>.
/// </summary>
public interface IRunCatalog
{
    /// <summary>A page of runs, newest first (by the order their <c>RunStarted</c> was stored).</summary>
    /// <exception cref="ArgumentException">The query is invalid (limit out of range, a cursor this catalog did not hand out, From after To).</exception>
    Task<RunPage> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default);

    /// <summary>One run's summary, or null when there is no such run. Callers check <see cref="RunSummary.OrgId"/> themselves.</summary>
    Task<RunSummary?> GetSummaryAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every unexpired pending approval and question across the runs of <paramref name="orgId"/> (all organisations when
    /// null: operator tools only), oldest request first.
    /// </summary>
    Task<IReadOnlyList<PendingApproval>> ListPendingDecisionsAsync(string? orgId, CancellationToken cancellationToken = default);

    /// <summary>Projects the events stored since the checkpoint (at most <paramref name="maxEvents"/>); returns the checkpoint (global position) reached.</summary>
    Task<long> CatchUpAsync(int maxEvents = int.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>Drops the projection and rebuilds it from every event in the store; returns the checkpoint reached.</summary>
    Task<long> RebuildAsync(CancellationToken cancellationToken = default);
}
