using System.Globalization;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Tools;
using CompanyOs.Tools.Registry;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Agents.Runtime;

/// <summary>
/// Gives every open call of the latest turn a result: runs ready and approved calls concurrently (bounded), and settles
/// calls that had started before an interruption (re-run only when the tool is idempotent). Each start and each result is
/// appended the moment it happens.
/// </summary>
internal sealed class ToolBatchExecutor(IToolRegistry registry, ToolInvoker invoker, TimeProvider time, AgentRuntimeOptions options, ILogger logger)
{
    /// <param name="journal">The run's journal.</param>
    /// <param name="actor">Recorded as the events' actor.</param>
    /// <param name="claimed">Started calls this driver recorded itself and has not run yet; every other Started call was interrupted.</param>
    /// <param name="cancellationToken">Stops the batch; the run stays resumable.</param>
    public async Task RunAsync(RunJournal journal, string actor, IReadOnlySet<string> claimed, CancellationToken cancellationToken)
    {
        var state = journal.State;
        var open = state.LastTurnCalls.Where(c => !c.HasResult && !c.IsWaitingForHuman).ToList();
        var interrupted = new List<RunEvent>();
        var runnable = new List<ToolCallState>();
        foreach (var call in open)
        {
            if (call.Phase == ToolCallPhase.Started && !claimed.Contains(call.CallId)
                && !(call.Idempotent && registry.TryGet(call.ToolName, out var t) && t.IsIdempotent))
            {
                interrupted.Add(new ToolCallInterrupted { CallId = call.CallId, ToolName = call.ToolName });
            }
            else
            {
                runnable.Add(call);
            }
        }

        await journal.AppendAsync(interrupted, actor, cancellationToken).ConfigureAwait(false);
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, state.Start!.Settings.MaxParallelTools),
            CancellationToken = cancellationToken,
        };
        await Parallel.ForEachAsync(runnable, parallel, (call, ct) => new ValueTask(RunOneAsync(journal, state.RunId, call, actor, claimed.Contains(call.CallId), ct)))
            .ConfigureAwait(false);
    }

    private async Task RunOneAsync(RunJournal journal, string runId, ToolCallState call, string actor, bool claimed, CancellationToken cancellationToken)
    {
        var arguments = call.EffectiveArguments ?? call.Arguments;
        if (!registry.TryGet(call.ToolName, out _))
        {
            await journal.AppendAsync(
                new ToolCallFailed { CallId = call.CallId, ToolName = call.ToolName, Reason = "unknown_tool", Error = $"tool '{call.ToolName}' is no longer available" },
                actor,
                cancellationToken).ConfigureAwait(false);
            return;
        }

        // Recording the start is the claim: if another driver appended first, this throws and the tool never runs here.
        // A call claimed with its turn was recorded as started in that same append.
        if (!claimed)
        {
            await journal.AppendAsync(
                new ToolCallStarted { CallId = call.CallId, ToolName = call.ToolName, Arguments = arguments, Attempt = call.Attempts + 1 },
                actor,
                cancellationToken).ConfigureAwait(false);
        }

        // One path for every tool call: the invoker validates, bounds the call by the tool's timeout (also a tool that ignores
        // cancellation or blocks synchronously) and shapes failures; it throws only when this drive is cancelled.
        var started = time.GetTimestamp();
        var invoked = await invoker.InvokeWithOutcomeAsync(call.ToolName, arguments, new ToolInvocationContext(runId, journal.State.OrgId, call.CallId), cancellationToken)
            .ConfigureAwait(false);

        // A tool that ended on a socket thread (with inline socket completions, an operator's setting) must not have the
        // journal append and the rest of the step run there, blocking that thread's other connections.
        await Task.Yield();
        if (invoked.Exception is { } thrown)
        {
            RuntimeLog.ToolThrew(logger, runId, call.CallId, call.ToolName, thrown);
        }

        RunEvent outcome = invoked.Failure switch
        {
            ToolInvocationFailure.None => Completed(call, invoked.Result, time.GetElapsedTime(started)),
            ToolInvocationFailure.UnknownTool => Failed(call, "unknown_tool", invoked.Result.Content, started),
            ToolInvocationFailure.InvalidArguments => Failed(call, "invalid_arguments", invoked.Result.Content, started),
            ToolInvocationFailure.Timeout => Failed(call, "timeout", invoked.Result.Content, started),
            _ => Failed(call, "exception", invoked.Result.Content, started),
        };

        await journal.AppendAsync(outcome, actor, cancellationToken).ConfigureAwait(false);
    }

    private ToolCallCompleted Completed(ToolCallState call, ToolResult result, TimeSpan elapsed)
    {
        var content = result.Content ?? string.Empty;
        var (stored, truncated) = Cap(content);
        return new ToolCallCompleted
        {
            CallId = call.CallId,
            ToolName = call.ToolName,
            Output = stored,
            IsError = result.IsError,
            OutputChars = content.Length,
            Truncated = truncated,
            DurationMs = elapsed.TotalMilliseconds,
        };
    }

    // An error is capped like output: a tool's exception message is as unbounded as its output, and an event over the
    // store's size limit fails the append (and so the run).
    private ToolCallFailed Failed(ToolCallState call, string reason, string error, long started) => new()
    {
        CallId = call.CallId,
        ToolName = call.ToolName,
        Reason = reason,
        Error = Cap(error).Stored,
        DurationMs = time.GetElapsedTime(started).TotalMilliseconds,
    };

    /// <summary>At most <see cref="AgentRuntimeOptions.MaxToolOutputChars"/> of <paramref name="content"/>, never ending in half a surrogate pair.</summary>
    private (string Stored, bool Truncated) Cap(string content)
    {
        var cap = options.MaxToolOutputChars;
        if (content.Length <= cap)
        {
            return (content, false);
        }

        var keep = char.IsHighSurrogate(content[cap - 1]) ? cap - 1 : cap;
        return (string.Create(CultureInfo.InvariantCulture, $"{content[..keep]}\n[output truncated: {content.Length - keep} of {content.Length} characters not stored]"), true);
    }
}
