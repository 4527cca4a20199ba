using System.Text.Json;
using Microsoft.Extensions.AI;
using static CompanyOs.Server.OpenAI.ChatRequestReader;

namespace CompanyOs.Server.OpenAI;

/// <summary>OpenAI messages → Microsoft.Extensions.AI messages; every tool message must answer a preceding assistant tool call.</summary>
internal static class ChatMessageReader
{
    public static List<ChatMessage> Read(List<ChatMessageWire?> wire)
    {
        var messages = new List<ChatMessage>(wire.Count);
        var openCalls = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < wire.Count; i++)
        {
            var message = wire[i] ?? throw Invalid($"messages[{i}]", $"messages[{i}] must be an object.");
            var at = $"messages[{i}]";
            if (message.Role is "user" or "system" or "developer")
            {
                openCalls.Clear();
            }

            messages.Add(message.Role switch
            {
                "system" or "developer" => new ChatMessage(ChatRole.System, TextContents(message.Content, at, required: true)),
                "user" => new ChatMessage(ChatRole.User, UserContents(message.Content, at)),
                "assistant" => Assistant(message, at, openCalls),
                "tool" => Tool(message, at, openCalls),
                null => throw Invalid($"{at}.role", $"{at}.role is required."),
                var role => throw Invalid($"{at}.role",
                    $"{at}.role '{role}' is not one of 'system', 'developer', 'user', 'assistant', 'tool'."),
            });
            messages[^1].AuthorName = message.Name;
        }

        return messages;
    }

    private static ChatMessage Assistant(ChatMessageWire message, string at, HashSet<string> openCalls)
    {
        var contents = TextContents(message.Content, at, required: message.ToolCalls is not { Count: > 0 });
        openCalls.Clear();
        for (var j = 0; j < (message.ToolCalls?.Count ?? 0); j++)
        {
            var call = message.ToolCalls![j];
            var callAt = $"{at}.tool_calls[{j}]";
            if (call is null || string.IsNullOrEmpty(call.Id) || call.Function is null || string.IsNullOrEmpty(call.Function.Name))
            {
                throw Invalid(callAt, $"{callAt} needs 'id' and 'function.name'.");
            }

            openCalls.Add(call.Id);
            contents.Add(new FunctionCallContent(call.Id, call.Function.Name, Arguments(call.Function.Arguments, $"{callAt}.function.arguments")));
        }

        return new ChatMessage(ChatRole.Assistant, contents);
    }

    private static ChatMessage Tool(ChatMessageWire message, string at, HashSet<string> openCalls)
    {
        if (string.IsNullOrEmpty(message.ToolCallId))
        {
            throw Invalid($"{at}.tool_call_id", $"{at}.tool_call_id is required for role 'tool'.");
        }

        if (!openCalls.Contains(message.ToolCallId))
        {
            throw Invalid($"{at}.tool_call_id",
                $"{at}.tool_call_id '{message.ToolCallId}' does not answer a tool call of the preceding assistant message.");
        }

        var text = string.Concat(TextContents(message.Content, at, required: true).OfType<TextContent>().Select(c => c.Text));
        return new ChatMessage(ChatRole.Tool, [new FunctionResultContent(message.ToolCallId, text)]);
    }

    internal static Dictionary<string, object?>? Arguments(string? json, string at)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal)
                : throw Invalid(at, $"{at} must be a JSON object encoded as a string.");
        }
        catch (JsonException)
        {
            throw Invalid(at, $"{at} is not valid JSON.");
        }
    }

    private static List<AIContent> UserContents(JsonElement content, string at)
    {
        if (content.ValueKind != JsonValueKind.Array)
        {
            return [.. TextContents(content, at, required: true)];
        }

        var contents = new List<AIContent>();
        var k = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partAt = $"{at}.content[{k++}]";
            var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) ? t.GetString() : null;
            contents.Add(type switch
            {
                "text" => new TextContent(RequiredString(part, "text", partAt)),
                "image_url" => Image(part, partAt),
                _ => throw Invalid($"{partAt}.type", $"{partAt}.type must be 'text' or 'image_url', got '{type}'."),
            });
        }

        return contents.Count > 0 ? contents : throw Invalid($"{at}.content", $"{at}.content must not be empty.");
    }

    private static AIContent Image(JsonElement part, string at)
    {
        var url = part.TryGetProperty("image_url", out var image) && image.ValueKind == JsonValueKind.Object
            ? RequiredString(image, "url", $"{at}.image_url")
            : throw Invalid($"{at}.image_url", $"{at}.image_url must be an object with 'url'.");
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return new DataContent(url);
            }
            catch (FormatException)
            {
                throw Invalid($"{at}.image_url.url", $"{at}.image_url.url is not a valid data URI.");
            }
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? new UriContent(uri, "image/*")
            : throw Invalid($"{at}.image_url.url", $"{at}.image_url.url must be an absolute URL or a data URI.");
    }

    /// <summary>Text content: a string, or an array of text parts; null only where OpenAI allows it (assistant with tool calls).</summary>
    private static List<AIContent> TextContents(JsonElement content, string at, bool required)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return [new TextContent(content.GetString())];
            case JsonValueKind.Array:
                var parts = new List<AIContent>();
                var k = 0;
                foreach (var part in content.EnumerateArray())
                {
                    var partAt = $"{at}.content[{k++}]";
                    if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var t) || t.GetString() != "text")
                    {
                        throw Invalid($"{partAt}.type", $"{partAt}: only 'text' parts are allowed here.");
                    }

                    parts.Add(new TextContent(RequiredString(part, "text", partAt)));
                }

                return parts;
            case JsonValueKind.Undefined or JsonValueKind.Null when !required:
                return [];
            default:
                throw Invalid($"{at}.content", $"{at}.content must be a string or an array of content parts.");
        }
    }

    private static string RequiredString(JsonElement obj, string name, string at) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Invalid($"{at}.{name}", $"{at}.{name} must be a string.");
}
