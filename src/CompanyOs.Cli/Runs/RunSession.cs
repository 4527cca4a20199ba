using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Steps;

namespace CompanyOs.Cli.Runs;

/// <summary>
/// Drives one runtime operation (start, decide, resume) with live steps, then — when the run waits and a person is there —
/// asks about each pending decision; otherwise lists them with the commands that give them. Returns the exit code.
/// </summary>
/// <remarks>
/// The host's notices (EMULATED, missing tool configuration) are printed when the run is about to be driven, so that a
/// command refused for bad input (unknown run, no such approval) prints only its error.
/// </remarks>
internal sealed class RunSession(IRunOutput output, ApprovalPrompter? prompter, TextWriter error, RunOutputSettings settings, IReadOnlyList<string> notices)
{
    private bool _noticesWritten;

    /// <summary>Prints the notices once (later calls do nothing).</summary>
    public async Task WriteNoticesAsync()
    {
        if (_noticesWritten)
        {
            return;
        }

        _noticesWritten = true;
        foreach (var notice in notices)
        {
            await error.WriteLineAsync(notice).ConfigureAwait(false);
        }
    }

    public async Task<int> DriveAsync(
        string runId, Func<AgentStepCallback, CancellationToken, Task<AgentRunResult>> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        await WriteNoticesAsync().ConfigureAwait(false);
        try
        {
            var result = await operation(output.WriteStepAsync, cancellationToken).ConfigureAwait(false);
            while (result.Status == RunStatus.AwaitingApproval && prompter is not null
                && await prompter.DecideNextAsync(result, cancellationToken).ConfigureAwait(false) is { } next)
            {
                result = next;
            }

            if (result.DrivenBy is { } owner)
            {
                await error.WriteLineAsync(
                    $"note: run {result.RunId} is being driven by another process ({owner}), which holds its lease; this one left it alone. "
                    + $"If that process is gone, its lease runs out within {LeaseNote}: then `companyos resume {ShellText.Quote(result.RunId)}{settings.CommandArguments(result.State)}` continues the run.")
                    .ConfigureAwait(false);
                await output.WriteResultAsync(result, listPending: false).ConfigureAwait(false);
                return ExitCodes.DrivenElsewhere;
            }

            if (result.OwnershipLost)
            {
                await error.WriteLineAsync($"note: another process changed run {result.RunId} at the same time; this shows its stored state.").ConfigureAwait(false);
            }

            await output.WriteResultAsync(result, listPending: true).ConfigureAwait(false);
            return ExitCodeOf(result.Status);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await output.WriteInterruptedAsync(runId).ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
    }

    private static readonly string LeaseNote = $"{new AgentRuntimeOptions().LeaseDuration.TotalSeconds:0} s";

    public static int ExitCodeOf(RunStatus status) => status switch
    {
        RunStatus.Completed => ExitCodes.Success,
        RunStatus.AwaitingApproval => ExitCodes.AwaitingInput,
        _ => ExitCodes.RunNotCompleted,
    };
}
