using System.Text.Json;

namespace CompanyOs.Agents.Runtime;

/// <summary>A human decision on a waiting run, for <see cref="AgentRuntime.RecordDecisionAsync"/>: approve, reject or answer.</summary>
public sealed record RunDecision
{
    private RunDecision(RunDecisionKind kind, string id, string? text, JsonElement? editedArguments)
    {
        Kind = kind;
        Id = id;
        Text = text;
        EditedArguments = editedArguments;
    }

    public RunDecisionKind Kind { get; }

    /// <summary>The tool call id (approve, reject) or the question id (answer).</summary>
    public string Id { get; }

    /// <summary>The rejection reason or the answer.</summary>
    public string? Text { get; }

    /// <summary>Edited arguments of an approval (validated against the tool's schema); null = as proposed.</summary>
    public JsonElement? EditedArguments { get; }

    public static RunDecision Approve(string callId, JsonElement? editedArguments = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(callId);
        return new(RunDecisionKind.Approve, callId, null, editedArguments);
    }

    public static RunDecision Reject(string callId, string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(callId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(RunDecisionKind.Reject, callId, reason, null);
    }

    public static RunDecision Answer(string questionId, string answer)
    {
        ArgumentException.ThrowIfNullOrEmpty(questionId);
        ArgumentNullException.ThrowIfNull(answer);
        return new(RunDecisionKind.Answer, questionId, answer, null);
    }
}

/// <summary>What a <see cref="RunDecision"/> does.</summary>
public enum RunDecisionKind
{
    Approve = 0,
    Reject,
    Answer,
}
