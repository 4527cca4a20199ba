using System.Text.Json;
using Microsoft.Extensions.AI;
using static CompanyOs.Server.Anthropic.MessagesRequestReader;

namespace CompanyOs.Server.Anthropic;

/// <summary>
/// Anthropic messages → Microsoft.Extensions.AI messages. <c>tool_result</c> blocks become a tool message (before any text of
/// the same user turn); each must answer a <c>tool_use</c> of the previous assistant message, and every <c>tool_use</c>
/// must be answered in the next message.
/// </summary>
internal static class MessagesContentReader
{
    public static List<ChatMessage> Read(List<AnthropicMessageWire?> wire)
    {
        var messages = new List<ChatMessage>();
        var pendingToolUses = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < wire.Count; i++)
        {
            var message = wire[i] ?? throw Invalid($"messages.{i}", "must be an object.");
            var at = $"messages.{i}";
            if (message.Content.ValueKind == JsonValueKind.String && message.Role is "user" or "assistant")
            {
                RequireAnswered(pendingToolUses, at);
                messages.Add(new ChatMessage(message.Role == "user" ? ChatRole.User : ChatRole.Assistant, message.Content.GetString()));
                continue;
            }

            var blocks = message.Role is "user" or "assistant" ? Blocks(message.Content, at) : [];
            switch (message.Role)
            {
                case "user":
                    var results = new List<AIContent>();
                    var rest = new List<AIContent>();
                    for (var j = 0; j < blocks.Count; j++)
                    {
                        var content = UserBlock(blocks[j], $"{at}.content.{j}", pendingToolUses);
                        (content is FunctionResultContent ? results : rest).Add(content);
                    }

                    RequireAnswered(pendingToolUses, at);
                    if (results.Count > 0)
                    {
                        messages.Add(new ChatMessage(ChatRole.Tool, results));
                    }

                    if (rest.Count > 0)
                    {
                        messages.Add(new ChatMessage(ChatRole.User, rest));
                    }

                    break;
                case "assistant":
                    RequireAnswered(pendingToolUses, at);
                    var contents = new List<AIContent>();
                    for (var j = 0; j < blocks.Count; j++)
                    {
                        if (AssistantBlock(blocks[j], $"{at}.content.{j}") is { } content)
                        {
                            contents.Add(content);
                            if (content is FunctionCallContent call)
                            {
                                pendingToolUses.Add(call.CallId);
                            }
                        }
                    }

                    messages.Add(new ChatMessage(ChatRole.Assistant, contents));
                    break;
                case null:
                    throw Invalid($"{at}.role", "Field required.");
                default:
                    throw Invalid($"{at}.role", $"must be 'user' or 'assistant', got '{message.Role}'.");
            }
        }

        return messages;
    }

    private static void RequireAnswered(HashSet<string> pendingToolUses, string at)
    {
        if (pendingToolUses.Count > 0)
        {
            throw Invalid(at, $"tool_use ids were found without tool_result blocks immediately after: {string.Join(", ", pendingToolUses)}.");
        }
    }

    private static List<JsonElement> Blocks(JsonElement content, string at) => content.ValueKind switch
    {
        JsonValueKind.Array when content.GetArrayLength() > 0 => [.. content.EnumerateArray()],
        JsonValueKind.Array => throw Invalid($"{at}.content", "must not be empty."),
        JsonValueKind.Undefined or JsonValueKind.Null => throw Invalid($"{at}.content", "Field required."),
        _ => throw Invalid($"{at}.content", "must be a string or an array of content blocks."),
    };

    private static AIContent UserBlock(JsonElement block, string at, HashSet<string> pendingToolUses)
    {
        switch (TypeOf(block, at))
        {
            case "text":
                return new TextContent(RequiredString(block, "text", at));
            case "image":
                return Image(block, at);
            case "tool_result":
                var id = RequiredString(block, "tool_use_id", at);
                if (!pendingToolUses.Remove(id))
                {
                    throw Invalid($"{at}.tool_use_id", $"unexpected tool_use_id '{id}' in tool_result blocks: each tool_result must answer a tool_use block of the previous message.");
                }

                return new FunctionResultContent(id, ResultText(block, at));
            case var type:
                throw Invalid($"{at}.type", $"a user message may hold 'text', 'image' or 'tool_result' blocks, got '{type}'.");
        }
    }

    private static AIContent? AssistantBlock(JsonElement block, string at)
    {
        switch (TypeOf(block, at))
        {
            case "text":
                return new TextContent(RequiredString(block, "text", at));
            case "tool_use":
                var input = block.TryGetProperty("input", out var i) && i.ValueKind == JsonValueKind.Object
                    ? i.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal)
                    : throw Invalid($"{at}.input", "Field required: an object.");
                return new FunctionCallContent(RequiredString(block, "id", at), RequiredString(block, "name", at), input);
            case "thinking" or "redacted_thinking":
                return null; // signed reasoning of an earlier turn: only the provider that made it could verify it
            case var type:
                throw Invalid($"{at}.type", $"an assistant message may hold 'text' or 'tool_use' blocks, got '{type}'.");
        }
    }

    private static string ResultText(JsonElement block, string at)
    {
        if (!block.TryGetProperty("content", out var content) || content.ValueKind is JsonValueKind.Null)
        {
            return "";
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        return content.ValueKind == JsonValueKind.Array
            ? string.Concat(content.EnumerateArray().Select((b, k) => TypeOf(b, $"{at}.content.{k}") == "text"
                ? RequiredString(b, "text", $"{at}.content.{k}")
                : throw Invalid($"{at}.content.{k}.type", "only text blocks are supported inside tool_result.")))
            : throw Invalid($"{at}.content", "must be a string or an array of text blocks.");
    }

    private static AIContent Image(JsonElement block, string at)
    {
        if (!block.TryGetProperty("source", out var source) || source.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"{at}.source", "Field required.");
        }

        switch (TypeOf(source, $"{at}.source"))
        {
            case "base64":
                try
                {
                    return new DataContent(Convert.FromBase64String(RequiredString(source, "data", $"{at}.source")),
                        RequiredString(source, "media_type", $"{at}.source"));
                }
                catch (FormatException)
                {
                    throw Invalid($"{at}.source.data", "is not valid base64.");
                }

            case "url" when Uri.TryCreate(RequiredString(source, "url", $"{at}.source"), UriKind.Absolute, out var uri):
                return new UriContent(uri, "image/*");
            default:
                throw Invalid($"{at}.source", "must be a base64 source (media_type, data) or a url source with an absolute URL.");
        }
    }

    private static string? TypeOf(JsonElement block, string at) =>
        block.ValueKind == JsonValueKind.Object && block.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()
            : throw Invalid($"{at}.type", "Field required.");

    private static string RequiredString(JsonElement obj, string name, string at) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Invalid($"{at}.{name}", "Field required: a string.");
}
