using System.Text.Json;
using CompanyOs.Emulator.Hosting;

namespace CompanyOs.Emulator.Conversation;

/// <summary>A tool offered by the client, with its JSON schema (a cloned element, safe to keep).</summary>
internal sealed record ToolSpec(string Name, string? Description, JsonElement? Schema)
{
    /// <summary>
    /// The <c>tools</c> of a request in OpenAI's shape, which Ollama shares:
    /// <c>{"type":"function","function":{"name","description","parameters"}}</c>. <paramref name="missingField"/> words
    /// the error for an entry without <c>function</c>, as each provider words it.
    /// </summary>
    public static ToolSpec[] ReadFunctionTools(JsonElement root, Func<string, string> missingField) =>
        JsonRead.OptionalObjects(root, "tools", string.Empty, (tool, path) =>
        {
            var function = JsonRead.RequiredObject(tool, "function", path, missingField);
            var functionPath = JsonRead.Join(path, "function");
            var schema = function.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object ? p.Clone() : (JsonElement?)null;
            return new ToolSpec(
                JsonRead.RequiredString(function, "name", functionPath), JsonRead.OptionalString(function, "description", functionPath), schema);
        });
}
