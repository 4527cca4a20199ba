using System.Text.Json;

namespace CompanyOs.Emulator.Conversation;

/// <summary>A tool offered by the client, with its JSON schema (a cloned element, safe to keep).</summary>
internal sealed record ToolSpec(string Name, string? Description, JsonElement? Schema);
