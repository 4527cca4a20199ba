using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Steps;
using CompanyOs.Cli.Errors;

namespace CompanyOs.Cli.Runs;

/// <summary>
/// Asks a person, line by line, about each pending approval (approve / reject with a reason / edit the arguments / skip)
/// and question (answer / skip), and records the decision, which continues the run. End of input and Ctrl+C skip.
/// With <paramref name="autoApprove"/> every tool call is approved as it comes, saying so, and questions are skipped.
/// </summary>
internal sealed class ApprovalPrompter(
    AgentRuntime runtime, TextReader input, TextWriter prompt, string? decidedBy, AgentStepCallback onStep, bool autoApprove = false)
{
    private readonly HashSet<string> _skipped = new(StringComparer.Ordinal);

    /// <summary>Decides the next pending item not skipped yet; null when none is left to ask about.</summary>
    public async Task<AgentRunResult?> DecideNextAsync(AgentRunResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var pending = result.Pending.FirstOrDefault(p => !_skipped.Contains(p.Id));
        if (pending is null)
        {
            return null;
        }

        try
        {
            var decided = pending.Kind == PendingKind.Question
                ? await AnswerAsync(pending, cancellationToken).ConfigureAwait(false)
                : await ApproveOrRejectAsync(pending, cancellationToken).ConfigureAwait(false);
            if (decided is null)
            {
                _skipped.Add(pending.Id);
                return result;
            }

            return decided;
        }
        catch (AgentRunException e) when (e.Kind is AgentRunErrorKind.InvalidArguments or AgentRunErrorKind.NotPending or AgentRunErrorKind.Expired)
        {
            await prompt.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return await runtime.ResumeAsync(result.RunId, onStep, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<AgentRunResult?> ApproveOrRejectAsync(PendingApproval p, CancellationToken cancellationToken)
    {
        await prompt.WriteLineAsync($"Approval needed: {p.ToolName} (call {p.CallId}) — {p.Reason}").ConfigureAwait(false);
        await prompt.WriteLineAsync($"  arguments: {ShellText.OneLine(p.ProposedArguments.GetRawText(), 2000)}").ConfigureAwait(false);
        if (autoApprove)
        {
            await prompt.WriteLineAsync("  approved automatically (--yes)").ConfigureAwait(false);
            return await runtime.ApproveAsync(p.RunId, p.CallId, null, decidedBy ?? "--yes", onStep, cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            var choice = await AskAsync("[a]pprove, [r]eject, [e]dit arguments, [s]kip? ", cancellationToken).ConfigureAwait(false);
            switch (choice?.Trim().ToLowerInvariant())
            {
                case null or "" or "s" or "skip":
                    return null;
                case "a" or "approve" or "y" or "yes":
                    return await runtime.ApproveAsync(p.RunId, p.CallId, null, decidedBy, onStep, cancellationToken).ConfigureAwait(false);
                case "r" or "reject" or "n" or "no":
                    var reason = await AskAsync("Reason for rejecting, told to the model (empty line to go back): ", cancellationToken).ConfigureAwait(false);
                    if (reason is null)
                    {
                        return null;
                    }

                    if (string.IsNullOrWhiteSpace(reason))
                    {
                        continue;
                    }

                    return await runtime.RejectAsync(p.RunId, p.CallId, reason.Trim(), decidedBy, onStep, cancellationToken).ConfigureAwait(false);
                case "e" or "edit":
                    if (await EditAsync(p, cancellationToken).ConfigureAwait(false) is { } edited)
                    {
                        return edited.Result;
                    }

                    continue;

                default:
                    await prompt.WriteLineAsync("Please type a, r, e or s.").ConfigureAwait(false);
                    continue;
            }
        }
    }

    /// <summary>
    /// Asks for the edited arguments until they parse and fit the tool's schema (each problem reported, then asked again);
    /// null = go back to the menu (empty line). End of input skips the item.
    /// </summary>
    private async Task<EditOutcome?> EditAsync(PendingApproval p, CancellationToken cancellationToken)
    {
        while (true)
        {
            var text = await AskAsync("Arguments as one line of JSON (empty line to go back): ", cancellationToken).ConfigureAwait(false);
            if (text is null)
            {
                return new EditOutcome(null);
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            try
            {
                var edited = ArgumentsJson.Parse(text, "the edited arguments");
                return new EditOutcome(await runtime.ApproveAsync(p.RunId, p.CallId, edited, decidedBy, onStep, cancellationToken).ConfigureAwait(false));
            }
            catch (CliUsageException e)
            {
                await prompt.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            }
            catch (AgentRunException e) when (e.Kind == AgentRunErrorKind.InvalidArguments)
            {
                await prompt.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            }
        }
    }

    private sealed record EditOutcome(AgentRunResult? Result);

    private async Task<AgentRunResult?> AnswerAsync(PendingApproval p, CancellationToken cancellationToken)
    {
        await prompt.WriteLineAsync($"Question ({p.Id}): {p.Reason}").ConfigureAwait(false);
        if (autoApprove)
        {
            return null;
        }

        var answer = await AskAsync("Answer (empty line to skip): ", cancellationToken).ConfigureAwait(false);
        return string.IsNullOrWhiteSpace(answer)
            ? null
            : await runtime.AnswerAsync(p.RunId, p.Id, answer.Trim(), decidedBy, onStep, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string?> AskAsync(string question, CancellationToken cancellationToken)
    {
        await prompt.WriteAsync(question).ConfigureAwait(false);
        await prompt.FlushAsync(CancellationToken.None).ConfigureAwait(false);

        // Ctrl+C at a prompt decides nothing: it counts as end of input, so the run is listed as waiting (exit 3).
        // Console input ignores the token while it blocks; WaitAsync ends the prompt at once.
        try
        {
            var line = await input.ReadLineAsync(CancellationToken.None).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            return cancellationToken.IsCancellationRequested ? null : line;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await prompt.WriteLineAsync().ConfigureAwait(false);
            return null;
        }
    }
}
