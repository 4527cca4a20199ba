namespace CompanyOs.Agents.Approvals;

public enum PendingKind
{
    /// <summary>A tool call waits for approve / approve-with-edits / reject.</summary>
    ToolApproval = 0,

    /// <summary>An <c>ask_human</c> question waits for an answer.</summary>
    Question = 1,
}
