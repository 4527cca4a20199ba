using CompanyOs.Emulator.Scripting;

namespace CompanyOs.Emulator.Model;

/// <summary>What the emulated model answers to one request.</summary>
internal sealed record ModelTurn(
    string Seed,
    string Text,
    IReadOnlyList<GeneratedToolCall> ToolCalls,
    ScriptedFinishReason FinishReason,
    TurnUsage Usage)
{
    /// <summary>The stop sequence that ended the text, if any.</summary>
    public string? StopSequence { get; init; }
}
