namespace CompanyOs.Emulator.Conversation;

/// <summary>The result of a tool call, as sent back by the client. <see cref="CallId"/> is null where the wire format has no id (Ollama).</summary>
internal sealed record ToolResultPart(string? CallId, string? ToolName, string Content, bool IsError);
