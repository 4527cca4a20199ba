using System.Text.Json;
using CompanyOs.Emulator.Conversation;
using CompanyOs.Emulator.Hosting;

namespace CompanyOs.Emulator.Ollama;

/// <summary>Parses an Ollama <c>/api/chat</c> request (<c>stream</c> defaults to true).</summary>
internal static class OllamaRequestParser
{
    public static EmulatedRequest Parse(JsonElement root)
    {
        JsonRead.Object(root, "body");
        var model = JsonRead.OptionalString(root, "model", string.Empty) is { Length: > 0 } m
            ? m
            : throw new InvalidRequestException("model is required", "model");
        var messages = new List<ConversationMessage>();
        if (JsonRead.OptionalArray(root, "messages", string.Empty) is { } array)
        {
            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                messages.Add(ParseMessage(element, JsonRead.Index("messages", index++)));
            }
        }

        var options = root.TryGetProperty("options", out var o) && o.ValueKind == JsonValueKind.Object ? o : default;
        return new EmulatedRequest(EmulatorProvider.Ollama, model, JsonRead.OptionalBool(root, "stream", string.Empty, true), messages, ToolSpec.ReadFunctionTools(root, Required))
        {
            MaxOutputTokens = options.ValueKind == JsonValueKind.Object && options.TryGetProperty("num_predict", out var np)
                && np.ValueKind == JsonValueKind.Number && np.TryGetInt32(out var n) && n > 0 ? n : null,
            StopSequences = options.ValueKind == JsonValueKind.Object ? JsonRead.StringOrStrings(options, "stop", "options") : [],
        };
    }

    private static ConversationMessage ParseMessage(JsonElement element, string path)
    {
        JsonRead.Object(element, path);
        var content = JsonRead.OptionalString(element, "content", path) ?? string.Empty;
        switch (JsonRead.RequiredString(element, "role", path))
        {
            case "system":
                return ConversationMessage.FromText(ChatRole.System, content);
            case "user":
                return ConversationMessage.FromText(ChatRole.User, content);
            case "assistant":
                return new ConversationMessage(ChatRole.Assistant, content, ParseToolCalls(element, path), []);
            case "tool":
                var result = new ToolResultPart(
                    JsonRead.OptionalString(element, "tool_call_id", path), JsonRead.OptionalString(element, "tool_name", path), content, false);
                return new ConversationMessage(ChatRole.Tool, string.Empty, [], [result]);
            case var role:
                throw new InvalidRequestException($"invalid role '{role}' in {path}", JsonRead.Join(path, "role"));
        }
    }

    private static ToolCallPart[] ParseToolCalls(JsonElement message, string path)
    {
        if (JsonRead.OptionalArray(message, "tool_calls", path) is not { } calls)
        {
            return [];
        }

        var result = new List<ToolCallPart>();
        var i = 0;
        foreach (var call in calls.EnumerateArray())
        {
            var callPath = JsonRead.Index(JsonRead.Join(path, "tool_calls"), i);
            var function = JsonRead.RequiredObject(call, "function", callPath, Required);
            var arguments = function.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.Object ? a.GetRawText() : "{}";
            var id = JsonRead.OptionalString(call, "id", callPath) ?? $"ollama_call_{i}";
            result.Add(new ToolCallPart(id, JsonRead.RequiredString(function, "name", JsonRead.Join(callPath, "function")), arguments));
            i++;
        }

        return [.. result];
    }

    private static string Required(string path) => $"{path} is required";
}
