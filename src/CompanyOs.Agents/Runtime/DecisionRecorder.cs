using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Steps;
using CompanyOs.Events;

namespace CompanyOs.Agents.Runtime;

/// <summary>
/// Records a human decision (or a cancellation) against the run's current version, re-reading and re-deciding when another
/// writer got there first. The decision function sees fresh state each time and throws <see cref="AgentRunException"/>
/// when the decision no longer applies.
/// </summary>
internal sealed class DecisionRecorder(IEventStore store, TimeProvider time, AgentRuntimeOptions options)
{
    public async Task<RunJournal> RecordAsync(
        string runId,
        Func<RunState, IReadOnlyList<RunEvent>> decide,
        string actor,
        AgentStepCallback? onStep,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var state = await RunJournal.LoadAsync(store, runId, cancellationToken).ConfigureAwait(false);
            if (state.Status == RunStatus.None)
            {
                throw new AgentRunException(AgentRunErrorKind.RunNotFound, $"Run '{runId}' does not exist.", runId);
            }

            if (state.Status.IsTerminal())
            {
                throw new AgentRunException(AgentRunErrorKind.RunEnded, $"Run '{runId}' has ended ({state.Status.ToWireName()}); it cannot be changed.", runId);
            }

            var events = decide(state);
            var journal = new RunJournal(store, state, time, onStep);
            try
            {
                await journal.AppendAsync(events, actor, cancellationToken).ConfigureAwait(false);
                return journal;
            }
            catch (RunOwnershipLostException) when (attempt < options.ConflictRetries)
            {
                journal.Dispose();
            }
            catch (RunOwnershipLostException ex)
            {
                journal.Dispose();
                throw new AgentRunException(AgentRunErrorKind.Conflict, $"Run '{runId}' kept changing while recording the decision; try again.", runId, ex);
            }
        }
    }
}
