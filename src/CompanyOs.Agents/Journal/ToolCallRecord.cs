using System.Text.Json;

namespace CompanyOs.Agents.Journal;

/// <summary>One tool call as the model made it: id (unique in the run), tool name and arguments (a JSON object).</summary>
public sealed record ToolCallRecord(string CallId, string Name, JsonElement Arguments);
