using System.Text.Json;

namespace CompanyOs.Agents.Journal;

/// <summary>A human approved a tool call, possibly with edited arguments (proposed and effective are both kept).</summary>
public sealed record ApprovalGranted : RunEvent
{
    public required string ApprovalId { get; init; }

    public required string CallId { get; init; }

    public JsonElement ProposedArguments { get; init; }

    public JsonElement EffectiveArguments { get; init; }

    public bool Edited { get; init; }

    public string? DecidedBy { get; init; }
}
