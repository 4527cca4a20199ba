using System.Text;
using System.Text.Json;
using CompanyOs.Emulator.Conversation;
using CompanyOs.Emulator.Hosting;

namespace CompanyOs.Emulator.Anthropic;

/// <summary>Parses and validates an Anthropic Messages request the way the real API does.</summary>
internal static class AnthropicRequestParser
{
    public static EmulatedRequest Parse(JsonElement root, bool requireMaxTokens)
    {
        JsonRead.Object(root, "body");
        var model = JsonRead.RequiredString(root, "model", string.Empty);
        var maxTokens = JsonRead.OptionalPositiveInt(root, "max_tokens", string.Empty);
        if (requireMaxTokens && maxTokens is null)
        {
            throw new InvalidRequestException("max_tokens: Field required", "max_tokens");
        }

        var messagesElement = JsonRead.OptionalArray(root, "messages", string.Empty)
            ?? throw new InvalidRequestException("messages: Field required", "messages");
        var messages = new List<ConversationMessage>();
        if (SystemText(root) is { Length: > 0 } system)
        {
            messages.Add(ConversationMessage.FromText(ChatRole.System, system));
        }

        var index = 0;
        foreach (var element in messagesElement.EnumerateArray())
        {
            messages.Add(ParseMessage(element, JsonRead.Index("messages", index++)));
        }

        if (messages.All(m => m.Role == ChatRole.System))
        {
            throw new InvalidRequestException("messages: at least one message is required", "messages");
        }

        ValidateToolResults(messages);
        var (choice, parallel) = ParseToolChoice(root);
        return new EmulatedRequest(EmulatorProvider.Anthropic, model, JsonRead.OptionalBool(root, "stream", string.Empty, false), messages, ParseTools(root))
        {
            ToolChoice = choice,
            ParallelToolCalls = parallel,
            MaxOutputTokens = maxTokens,
            StopSequences = JsonRead.StringOrStrings(root, "stop_sequences", string.Empty),
        };
    }

    private static string SystemText(JsonElement root)
    {
        if (!root.TryGetProperty("system", out var system) || system.ValueKind == JsonValueKind.Null)
        {
            return string.Empty;
        }

        return system.ValueKind switch
        {
            JsonValueKind.String => system.GetString()!,
            JsonValueKind.Array => string.Concat(system.EnumerateArray().Select(b => JsonRead.RequiredString(b, "text", "system"))),
            _ => throw new InvalidRequestException("system: Input should be a valid string or a list of text blocks", "system"),
        };
    }

    private static ConversationMessage ParseMessage(JsonElement element, string path)
    {
        JsonRead.Object(element, path);
        var role = JsonRead.RequiredString(element, "role", path) switch
        {
            "user" => ChatRole.User,
            "assistant" => ChatRole.Assistant,
            var other => throw new InvalidRequestException($"{path}.role: Input should be 'user' or 'assistant' (got '{other}')", JsonRead.Join(path, "role")),
        };

        if (!element.TryGetProperty("content", out var content))
        {
            throw new InvalidRequestException($"{path}.content: Field required", JsonRead.Join(path, "content"));
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return ConversationMessage.FromText(role, content.GetString()!);
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRequestException($"{path}.content: Input should be a valid string or list of content blocks", JsonRead.Join(path, "content"));
        }

        var text = new StringBuilder();
        var calls = new List<ToolCallPart>();
        var results = new List<ToolResultPart>();
        var i = 0;
        foreach (var block in content.EnumerateArray())
        {
            var blockPath = JsonRead.Index(JsonRead.Join(path, "content"), i++);
            JsonRead.Object(block, blockPath);
            switch (JsonRead.RequiredString(block, "type", blockPath))
            {
                case "text":
                    text.Append(JsonRead.RequiredString(block, "text", blockPath));
                    break;
                case "image" or "document":
                    text.Append("[attachment]");
                    break;
                case "thinking" or "redacted_thinking":
                    break;
                case "tool_use" when role == ChatRole.Assistant:
                    var input = block.TryGetProperty("input", out var i2) && i2.ValueKind == JsonValueKind.Object
                        ? i2.GetRawText()
                        : throw new InvalidRequestException($"{blockPath}.input: Input should be a valid dictionary", JsonRead.Join(blockPath, "input"));
                    calls.Add(new ToolCallPart(JsonRead.RequiredString(block, "id", blockPath), JsonRead.RequiredString(block, "name", blockPath), input));
                    break;
                case "tool_result" when role == ChatRole.User:
                    results.Add(new ToolResultPart(
                        JsonRead.RequiredString(block, "tool_use_id", blockPath), null, ResultText(block, blockPath),
                        JsonRead.OptionalBool(block, "is_error", blockPath, false)));
                    break;
                case var type:
                    throw new InvalidRequestException($"{blockPath}.type: '{type}' is not a valid content block type for role '{role.ToString().ToLowerInvariant()}'", JsonRead.Join(blockPath, "type"));
            }
        }

        return new ConversationMessage(role, text.ToString(), calls, results);
    }

    private static string ResultText(JsonElement block, string path)
    {
        if (!block.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            return string.Empty;
        }

        return content.ValueKind switch
        {
            JsonValueKind.String => content.GetString()!,
            JsonValueKind.Array => string.Concat(content.EnumerateArray()
                .Select(b => b.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "[attachment]")),
            _ => throw new InvalidRequestException($"{path}.content: Input should be a valid string or list of content blocks", JsonRead.Join(path, "content")),
        };
    }

    /// <summary>Like the real API: every tool_result must answer a tool_use of the immediately preceding assistant message.</summary>
    private static void ValidateToolResults(List<ConversationMessage> messages)
    {
        var offset = messages[0].Role == ChatRole.System ? 1 : 0;
        for (var i = 0; i < messages.Count; i++)
        {
            var previous = i > 0 ? messages[i - 1] : null;
            foreach (var result in messages[i].ToolResults)
            {
                if (previous is null || previous.Role != ChatRole.Assistant || previous.ToolCalls.All(c => c.Id != result.CallId))
                {
                    throw new InvalidRequestException(
                        $"messages.{i - offset}.content: unexpected `tool_use_id` found in `tool_result` blocks: {result.CallId}. "
                        + "Each `tool_result` block must have a corresponding `tool_use` block in the previous message.",
                        $"messages.{i - offset}.content");
                }
            }

            if (messages[i].ToolCalls.Count > 0 && i + 1 < messages.Count)
            {
                var answered = messages[i + 1].ToolResults.Select(r => r.CallId).ToHashSet();
                var missing = messages[i].ToolCalls.Where(c => !answered.Contains(c.Id)).Select(c => c.Id).ToArray();
                if (missing.Length > 0)
                {
                    throw new InvalidRequestException(
                        $"messages.{i - offset}: `tool_use` ids were found without `tool_result` blocks immediately after: {string.Join(", ", missing)}. "
                        + "Each `tool_use` block must have a corresponding `tool_result` block in the next message.",
                        $"messages.{i - offset}");
                }
            }
        }
    }

    private static ToolSpec[] ParseTools(JsonElement root) =>
        JsonRead.OptionalObjects(root, "tools", string.Empty, (tool, path) =>
        {
            var schema = tool.TryGetProperty("input_schema", out var s) && s.ValueKind == JsonValueKind.Object ? s.Clone() : (JsonElement?)null;
            var type = JsonRead.OptionalString(tool, "type", path);
            if (schema is null && type is null or "custom")
            {
                throw new InvalidRequestException($"{path}.input_schema: Field required", JsonRead.Join(path, "input_schema"));
            }

            return new ToolSpec(JsonRead.RequiredString(tool, "name", path), JsonRead.OptionalString(tool, "description", path), schema);
        });

    private static (ToolChoice Choice, bool Parallel) ParseToolChoice(JsonElement root)
    {
        if (!root.TryGetProperty("tool_choice", out var choice) || choice.ValueKind == JsonValueKind.Null)
        {
            return (ToolChoice.Auto, true);
        }

        var type = JsonRead.RequiredString(JsonRead.Object(choice, "tool_choice"), "type", "tool_choice");
        var parallel = !JsonRead.OptionalBool(choice, "disable_parallel_tool_use", "tool_choice", false);
        return type switch
        {
            "auto" => (ToolChoice.Auto, parallel),
            "any" => (new ToolChoice(ToolChoiceMode.Required), parallel),
            "none" => (new ToolChoice(ToolChoiceMode.None), parallel),
            "tool" => (new ToolChoice(ToolChoiceMode.Specific, JsonRead.RequiredString(choice, "name", "tool_choice")), parallel),
            _ => throw new InvalidRequestException($"tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none' (got '{type}')", "tool_choice.type"),
        };
    }
}
