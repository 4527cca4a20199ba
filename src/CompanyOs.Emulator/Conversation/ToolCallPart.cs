namespace CompanyOs.Emulator.Conversation;

/// <summary>A tool call made by the assistant earlier in the conversation.</summary>
internal sealed record ToolCallPart(string Id, string Name, string ArgumentsJson);
