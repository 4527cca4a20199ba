using CompanyOs.Agents.Journal;

namespace CompanyOs.Agents.Runtime;

/// <summary>What one model round trip produced: its cost record, the assistant message and the calls with any argument parse errors.</summary>
internal sealed record ModelTurn(LlmCallCompleted Call, AssistantMessage Message, IReadOnlyList<string?> ParseErrors);
