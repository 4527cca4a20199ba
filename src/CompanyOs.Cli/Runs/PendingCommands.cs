using CompanyOs.Agents.Approvals;

namespace CompanyOs.Cli.Runs;

/// <summary>The exact <c>companyos</c> commands that decide a pending approval or answer a question.</summary>
internal static class PendingCommands
{
    public static IReadOnlyList<string> For(PendingApproval pending, string databaseArgument)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var run = ShellText.Quote(pending.RunId);
        if (pending.Kind == PendingKind.Question)
        {
            return [$"companyos answer {run} {ShellText.Quote(pending.Id)} '<answer>'{databaseArgument}"];
        }

        var call = ShellText.Quote(pending.CallId);
        return
        [
            $"companyos approve {run} {call}{databaseArgument}",
            $"companyos reject {run} {call} --reason '<why>'{databaseArgument}",
        ];
    }

    public static string KindName(PendingKind kind) => kind == PendingKind.Question ? "question" : "tool_approval";
}
