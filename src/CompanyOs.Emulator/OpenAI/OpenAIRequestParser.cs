using System.Text;
using System.Text.Json;
using CompanyOs.Emulator.Conversation;
using CompanyOs.Emulator.Hosting;

namespace CompanyOs.Emulator.OpenAI;

/// <summary>Parses and validates an OpenAI chat-completions request the way the real API does.</summary>
internal static class OpenAIRequestParser
{
    public static EmulatedRequest Parse(JsonElement root)
    {
        JsonRead.Object(root, "body");
        var model = JsonRead.RequiredString(root, "model", string.Empty);
        var messagesElement = JsonRead.OptionalArray(root, "messages", string.Empty)
            ?? throw new InvalidRequestException("Missing required parameter: 'messages'.", "messages");
        if (messagesElement.GetArrayLength() == 0)
        {
            throw new InvalidRequestException("Invalid 'messages': empty array. Expected an array with minimum length 1.", "messages");
        }

        var messages = new List<ConversationMessage>();
        var index = 0;
        foreach (var element in messagesElement.EnumerateArray())
        {
            messages.Add(ParseMessage(element, JsonRead.Index("messages", index++)));
        }

        ValidateToolHistory(messages);
        if (JsonRead.OptionalPositiveInt(root, "n", string.Empty) is > 1)
        {
            throw new InvalidRequestException("The emulator supports only n=1.", "n");
        }

        var streamOptions = root.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object ? so : default;
        var stream = JsonRead.OptionalBool(root, "stream", string.Empty, false);
        if (!stream && streamOptions.ValueKind == JsonValueKind.Object)
        {
            throw new InvalidRequestException("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options");
        }

        return new EmulatedRequest(EmulatorProvider.OpenAI, model, stream, messages, ToolSpec.ReadFunctionTools(root, MissingParameter))
        {
            ToolChoice = ParseToolChoice(root),
            MaxOutputTokens = JsonRead.OptionalPositiveInt(root, "max_completion_tokens", string.Empty)
                ?? JsonRead.OptionalPositiveInt(root, "max_tokens", string.Empty),
            StopSequences = JsonRead.StringOrStrings(root, "stop", string.Empty),
            IncludeUsage = streamOptions.ValueKind == JsonValueKind.Object && JsonRead.OptionalBool(streamOptions, "include_usage", "stream_options", false),
            ParallelToolCalls = JsonRead.OptionalBool(root, "parallel_tool_calls", string.Empty, true),
        };
    }

    private static ConversationMessage ParseMessage(JsonElement element, string path)
    {
        JsonRead.Object(element, path);
        var role = JsonRead.RequiredString(element, "role", path);
        var text = ContentText(element, path);
        switch (role)
        {
            case "system" or "developer":
                return ConversationMessage.FromText(ChatRole.System, text);
            case "user":
                return ConversationMessage.FromText(ChatRole.User, text);
            case "assistant":
                return new ConversationMessage(ChatRole.Assistant, text, ParseToolCalls(element, path), []);
            case "tool":
                var callId = JsonRead.RequiredString(element, "tool_call_id", path);
                return new ConversationMessage(ChatRole.Tool, string.Empty, [], [new ToolResultPart(callId, null, text, false)]);
            default:
                throw new InvalidRequestException(
                    $"Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', 'tool', and 'developer'.", JsonRead.Join(path, "role"));
        }
    }

    private static string ContentText(JsonElement message, string path)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            return string.Empty;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRequestException($"Invalid type for '{path}.content': expected one of a string or array of objects.", JsonRead.Join(path, "content"));
        }

        var builder = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            var type = part.ValueKind == JsonValueKind.Object ? JsonRead.OptionalString(part, "type", path) : null;
            builder.Append(type switch
            {
                "text" => JsonRead.RequiredString(part, "text", JsonRead.Join(path, "content")),
                "image_url" => "[image]",
                "input_audio" => "[audio]",
                "file" => "[file]",
                "refusal" => JsonRead.OptionalString(part, "refusal", path) ?? string.Empty,
                _ => throw new InvalidRequestException($"Invalid content part type '{type}' in '{path}.content'.", JsonRead.Join(path, "content")),
            });
        }

        return builder.ToString();
    }

    private static ToolCallPart[] ParseToolCalls(JsonElement message, string path) =>
        JsonRead.OptionalObjects(message, "tool_calls", path, (call, callPath) =>
        {
            var id = JsonRead.RequiredString(call, "id", callPath);
            var function = JsonRead.RequiredObject(call, "function", callPath, MissingParameter);
            var functionPath = JsonRead.Join(callPath, "function");
            return new ToolCallPart(id, JsonRead.RequiredString(function, "name", functionPath), JsonRead.RequiredString(function, "arguments", functionPath));
        });

    /// <summary>The real API rejects orphan tool messages and tool calls without a response.</summary>
    private static void ValidateToolHistory(List<ConversationMessage> messages)
    {
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Role == ChatRole.Tool)
            {
                var j = i;
                while (j > 0 && messages[j - 1].Role == ChatRole.Tool)
                {
                    j--;
                }

                var callId = messages[i].ToolResults[0].CallId;
                if (j == 0 || messages[j - 1].Role != ChatRole.Assistant || messages[j - 1].ToolCalls.All(c => c.Id != callId))
                {
                    throw new InvalidRequestException(
                        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
                        JsonRead.Index("messages", i) + ".role");
                }
            }

            if (messages[i].ToolCalls.Count > 0)
            {
                var answered = messages.Skip(i + 1).TakeWhile(m => m.Role == ChatRole.Tool).Select(m => m.ToolResults[0].CallId).ToHashSet();
                var missing = messages[i].ToolCalls.Where(c => !answered.Contains(c.Id)).Select(c => c.Id).ToArray();
                if (missing.Length > 0)
                {
                    throw new InvalidRequestException(
                        "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. "
                        + $"The following tool_call_ids did not have response messages: {string.Join(", ", missing)}",
                        JsonRead.Index("messages", i) + ".role");
                }
            }
        }
    }

    private static string MissingParameter(string path) => $"Missing required parameter: '{path}'.";

    private static ToolChoice ParseToolChoice(JsonElement root)
    {
        if (!root.TryGetProperty("tool_choice", out var choice) || choice.ValueKind == JsonValueKind.Null)
        {
            return ToolChoice.Auto;
        }

        if (choice.ValueKind == JsonValueKind.String)
        {
            return choice.GetString() switch
            {
                "none" => new ToolChoice(ToolChoiceMode.None),
                "auto" => ToolChoice.Auto,
                "required" => new ToolChoice(ToolChoiceMode.Required),
                var other => throw new InvalidRequestException($"Invalid value for 'tool_choice': '{other}'.", "tool_choice"),
            };
        }

        if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
        {
            return new ToolChoice(ToolChoiceMode.Specific, JsonRead.RequiredString(function, "name", "tool_choice.function"));
        }

        throw new InvalidRequestException("Invalid value for 'tool_choice'.", "tool_choice");
    }
}
