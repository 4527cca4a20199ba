using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Cli.Errors;
using CompanyOs.Cli.Hosting;

namespace CompanyOs.Cli.Commands.Runs;

/// <summary>Finds the run and the pending call a command names, or explains precisely what does not exist.</summary>
internal static class RunLookup
{
    private const int MaxRunIdLength = 200;

    public static void RequireDatabase(string path)
    {
        EventStoreFile.RejectDirectory(path);
        if (!File.Exists(path))
        {
            throw new CliUsageException(
                $"no event store at {path}, so no runs yet. Start one with `companyos run`, or pass --db (or set {CompanyOsPaths.DatabaseVariable}) to use another file.");
        }
    }

    /// <summary>
    /// The full run id for what the user typed (a whole id or a unique prefix such as the short id <c>runs</c> prints);
    /// unchanged when the store has no such run, so that the command's own "unknown run" error names it.
    /// </summary>
    public static async Task<string> ExpandAsync(string database, string runId, CancellationToken cancellationToken)
    {
        CheckRunId(runId);
        if (!File.Exists(database))
        {
            return runId;
        }

        await using var reader = await RunReader.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        return await reader.ResolveAsync(runId, cancellationToken).ConfigureAwait(false) ?? runId;
    }

    /// <summary>Rejects ids no run can have (empty, too long, whitespace or control characters) before they reach the store.</summary>
    public static string CheckRunId(string? runId)
    {
        if (string.IsNullOrWhiteSpace(runId))
        {
            throw new CliUsageException("the run id must not be empty (see `companyos runs`).");
        }

        if (runId.Length > MaxRunIdLength || runId.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new CliUsageException($"'{ShellTextPreview(runId)}' is not a run id (at most {MaxRunIdLength} characters, no spaces or control characters; see `companyos runs`).");
        }

        return runId;
    }

    public static async Task<RunState> RequireRunAsync(AgentRuntime runtime, string runId, string database, CancellationToken cancellationToken)
    {
        CheckRunId(runId);
        return await runtime.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new CliUsageException($"unknown run '{runId}' in {database}. List runs with: companyos runs");
    }

    /// <summary>The call id for <paramref name="id"/>, which may also be the approval (or question) id; fails naming what is pending.</summary>
    public static string RequireWaitingCall(RunState state, string id, bool question)
    {
        if (state.Status.IsTerminal())
        {
            throw new CliUsageException($"run '{state.RunId}' has ended ({state.Status.ToWireName()}); nothing can be decided any more.");
        }

        var waiting = state.WaitingCalls.Where(c => question ? c.Phase == ToolCallPhase.AwaitingAnswer : c.Phase == ToolCallPhase.AwaitingApproval).ToList();
        var match = waiting.FirstOrDefault(c => c.CallId == id || c.ApprovalId == id);
        if (match is not null)
        {
            return question ? match.ApprovalId! : match.CallId;
        }

        var what = question ? "question" : "approval";
        var list = waiting.Count == 0
            ? $"it has no pending {what}s"
            : $"pending: {string.Join(", ", waiting.Select(c => question ? $"{c.ApprovalId} ({c.Question})" : $"{c.CallId} ({c.ToolName})"))}";
        throw new CliUsageException($"run '{state.RunId}' has no pending {what} '{id}'; {list}.");
    }

    private static string ShellTextPreview(string value) => Cli.Runs.ShellText.OneLine(string.Concat(value.Where(c => !char.IsControl(c))), 60);
}
