using CompanyOs.Agents.Approvals;

namespace CompanyOs.Cli.Runs;

/// <summary>The exact <c>companyos</c> commands that decide a pending approval or answer a question.</summary>
internal static class PendingCommands
{
    public static IReadOnlyList<string> For(PendingApproval pending, string commandArguments)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var run = ShellText.Quote(pending.RunId);
        if (pending.Kind == PendingKind.Question)
        {
            return [$"companyos answer {run} {ShellText.Quote(pending.Id)} '<answer>'{commandArguments}"];
        }

        var call = ShellText.Quote(pending.CallId);
        return
        [
            $"companyos approve {run} {call}{commandArguments}",
            $"companyos reject {run} {call} --reason '<why>'{commandArguments}",
        ];
    }

    public static string KindName(PendingKind kind) => kind == PendingKind.Question ? "question" : "tool_approval";
}
