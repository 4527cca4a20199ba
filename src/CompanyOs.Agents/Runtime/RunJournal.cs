using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Steps;
using CompanyOs.Events;

namespace CompanyOs.Agents.Runtime;

/// <summary>
/// The single writer of one run's stream for one driver: appends with the exact expected version (optimistic concurrency),
/// folds what it wrote into <see cref="State"/> and emits steps. Appends are serialized, so parallel tool calls can record
/// their results the moment they happen, and steps are emitted in stream order.
/// </summary>
internal sealed class RunJournal(IEventStore store, RunState state, TimeProvider time, AgentStepCallback? onStep) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public RunState State { get; private set; } = state;

    public static async Task<RunState> LoadAsync(IEventStore store, string runId, CancellationToken cancellationToken)
    {
        var state = RunState.Empty;
        await foreach (var recorded in store.ReadStreamAsync(RunEventCodec.StreamId(runId), 0, cancellationToken).ConfigureAwait(false))
        {
            state = state.Apply(recorded);
        }

        return state;
    }

    /// <summary>Appends <paramref name="events"/> atomically after the current version.</summary>
    /// <exception cref="RunOwnershipLostException">Another writer got there first; nothing was written.</exception>
    public async Task AppendAsync(IReadOnlyList<RunEvent> events, string actor, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            var stamped = events.Select(e => e.At == default ? e with { At = now } : e).ToList();
            var runId = State.Start?.RunId ?? (stamped[0] as RunStarted)?.RunId
                ?? throw new InvalidOperationException("The first event of a run must be RunStarted.");
            var metadata = new EventMetadata
            {
                OrgId = State.OrgId ?? (stamped[0] as RunStarted)?.OrgId,
                CorrelationId = runId,
                Actor = actor,
            };
            var data = stamped.Select(e => RunEventCodec.ToEventData(e, metadata)).ToList();
            var expected = State.Version < 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(State.Version);
            try
            {
                await store.AppendAsync(RunEventCodec.StreamId(runId), expected, data, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyException ex)
            {
                throw new RunOwnershipLostException(runId, ex);
            }

            var steps = new List<AgentStep>(stamped.Count);
            var next = State;
            foreach (var e in stamped)
            {
                next = next.Apply(e) with { Version = next.Version + 1 };
                steps.Add(new AgentStep(runId, next.Version, AgentStep.KindOf(e), e));
            }

            State = next;

            // Emitted under the gate so that observers see steps in stream order.
            if (onStep is not null)
            {
                foreach (var step in steps)
                {
                    await onStep(step, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Re-reads the run from the store (after taking its lease, or when others wrote to it during this drive).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            State = await LoadAsync(store, State.RunId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Whether anyone observes the steps (transient steps are only worth producing then).</summary>
    public bool IsObserved => onStep is not null;

    /// <summary>Emits a transient step (never stored), in order with the stored ones.</summary>
    public async Task EmitTransientAsync(RunEvent @event, CancellationToken cancellationToken)
    {
        if (onStep is null)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stamped = @event.At == default ? @event with { At = time.GetUtcNow() } : @event;
            await onStep(new AgentStep(State.RunId, State.Version, AgentStep.KindOf(stamped), stamped), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task AppendAsync(RunEvent @event, string actor, CancellationToken cancellationToken) =>
        AppendAsync([@event], actor, cancellationToken);

    public void Dispose() => _gate.Dispose();
}
