using System.Text.Json;
using CompanyOs.Llm.Tokens;
using Microsoft.Extensions.AI;
using static CompanyOs.Server.OpenAI.ChatRequestView;

namespace CompanyOs.Server.OpenAI;

/// <summary>
/// The <c>messages</c> of an OpenAI chat request read from its bytes for <see cref="ChatRequestView"/>: checked as
/// <see cref="ChatMessageReader"/> checks them (roles, content shapes, tool calls answered by tool messages), each text
/// the prompt estimate counts added to a <see cref="PromptTexts"/>, nothing built.
/// </summary>
internal static class ChatMessagesView
{
    /// <summary>
    /// The messages array (the reader on its start; left on its end): each message checked as <see cref="ChatMessageReader"/>
    /// checks it, its texts added to <paramref name="prompt"/> as <see cref="TiktokenTokenCounter"/> would count the built
    /// message. False for anything the full reader refuses or this one does not vouch for.
    /// </summary>
    public static bool Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, PromptTexts prompt)
    {
        HashSet<string>? openCalls = null; // only once an assistant message calls tools
        var texts = new List<string>(2);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject || !MessageView.Read(ref reader, out var message))
            {
                return false;
            }

            texts.Clear();
            prompt.AddMessage();
            switch (message.Role)
            {
                case "system" or "developer" when message.Content.Texts(body, required: true, texts):
                    openCalls?.Clear();
                    break;
                case "user" when message.Content.Kind == JsonTokenType.StartArray
                    ? UserParts(body[message.Content.Start..message.Content.End], texts)
                    : message.Content.Texts(body, required: true, texts):
                    openCalls?.Clear();
                    break;
                case "assistant" when message.Content.Texts(body, required: message.ToolCalls is not { Count: > 0 }, texts):
                    foreach (var text in texts)
                    {
                        prompt.AddText(text);
                    }

                    texts.Clear();
                    openCalls?.Clear();
                    if (message.ToolCalls is { Count: > 0 } && !ToolCalls(message.ToolCalls, openCalls ??= new HashSet<string>(StringComparer.Ordinal), prompt))
                    {
                        return false;
                    }

                    break;
                case "tool" when !string.IsNullOrEmpty(message.ToolCallId) && openCalls?.Contains(message.ToolCallId) == true
                                 && message.Content.Texts(body, required: true, texts):
                    prompt.AddFunctionResult(message.ToolCallId, string.Concat(texts));
                    texts.Clear();
                    break;
                default:
                    return false;
            }

            foreach (var text in texts)
            {
                prompt.AddText(text);
            }
        }

        return prompt.MessageCount > 0;
    }

    private static bool ToolCalls(List<ToolCallWire?> calls, HashSet<string> openCalls, PromptTexts prompt)
    {
        foreach (var call in calls)
        {
            if (call is null || string.IsNullOrEmpty(call.Id) || call.Function is null || string.IsNullOrEmpty(call.Function.Name))
            {
                return false;
            }

            openCalls.Add(call.Id);
            prompt.AddFunctionCall(call.Id, call.Function.Name, ChatMessageReader.Arguments(call.Function.Arguments, "arguments"));
        }

        return true;
    }

    /// <summary>A user message's content parts: text and images (which the estimate does not count), at least one.</summary>
    private static bool UserParts(ReadOnlySpan<byte> array, List<string> texts)
    {
        var reader = new Utf8JsonReader(array);
        reader.Read();
        var parts = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (!PartView.Read(ref reader, out var part))
            {
                return false;
            }

            parts++;
            switch (part.Type)
            {
                case "text" when part.Text is not null:
                    texts.Add(part.Text);
                    break;
                case "image_url" when part.ImageUrl is { } url && ValidImageUrl(url):
                    break;
                default:
                    return false;
            }
        }

        return parts > 0;
    }

    /// <summary>As the full reader takes an image URL: a data URI that parses, or an absolute URL.</summary>
    private static bool ValidImageUrl(string url)
    {
        if (!url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            return Uri.TryCreate(url, UriKind.Absolute, out _);
        }

        _ = new DataContent(url); // throws FormatException for a bad data URI
        return true;
    }

    /// <summary>A message's <c>content</c>: a string (kept), or where an array of parts lies in the body, or null/absent.</summary>
    private readonly record struct ContentView(JsonTokenType Kind, string? Text, int Start, int End)
    {
        /// <summary>Text content as the full reader takes it: a string, or an array of <c>text</c> parts; null/absent only when not required.</summary>
        public bool Texts(ReadOnlySpan<byte> body, bool required, List<string> texts)
        {
            switch (Kind)
            {
                case JsonTokenType.String:
                    texts.Add(Text!);
                    return true;
                case JsonTokenType.StartArray:
                    var reader = new Utf8JsonReader(body[Start..End]);
                    reader.Read();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (!PartView.Read(ref reader, out var part) || part.Type != "text" || part.Text is null || part.ImageUrl is not null)
                        {
                            return false;
                        }

                        texts.Add(part.Text);
                    }

                    return true;
                case JsonTokenType.None or JsonTokenType.Null:
                    return !required;
                default:
                    return false;
            }
        }
    }

    /// <summary>One message object's fields (the reader on its start; left on its end). False for a wrong type or a repeated field.</summary>
    private readonly record struct MessageView(string? Role, ContentView Content, string? ToolCallId, List<ToolCallWire?>? ToolCalls)
    {
        public static bool Read(ref Utf8JsonReader reader, out MessageView message)
        {
            message = default;
            string? role = null, toolCallId = null;
            ContentView content = default;
            List<ToolCallWire?>? toolCalls = null;
            var seen = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = reader.ValueTextEquals("role"u8) ? 0 : reader.ValueTextEquals("content"u8) ? 1 : reader.ValueTextEquals("name"u8) ? 2
                    : reader.ValueTextEquals("tool_calls"u8) ? 3 : reader.ValueTextEquals("tool_call_id"u8) ? 4 : -1;
                reader.Read();
                if (!FirstOccurrence(ref seen, field))
                {
                    return false;
                }

                switch (field)
                {
                    case 0 when TryString(ref reader, out role):
                    case 2 when TryString(ref reader, out _):
                    case 4 when TryString(ref reader, out toolCallId):
                        break;
                    case 1:
                        content = reader.TokenType switch
                        {
                            JsonTokenType.String => new ContentView(JsonTokenType.String, reader.GetString(), 0, 0),
                            JsonTokenType.StartArray => Array(ref reader),
                            var kind => new ContentView(kind, null, 0, 0),
                        };
                        break;
                    case 3 when reader.TokenType == JsonTokenType.Null:
                        break;
                    case 3 when reader.TokenType == JsonTokenType.StartArray:
                        toolCalls = [];
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            if (reader.TokenType == JsonTokenType.Null)
                            {
                                toolCalls.Add(null);
                            }
                            else if (reader.TokenType != JsonTokenType.StartObject || !ReadToolCall(ref reader, toolCalls))
                            {
                                return false;
                            }
                        }

                        break;
                    case -1:
                        reader.Skip();
                        break;
                    default:
                        return false;
                }
            }

            message = new MessageView(role, content, toolCallId, toolCalls);
            return true;
        }

        private static ContentView Array(ref Utf8JsonReader reader)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            return new ContentView(JsonTokenType.StartArray, null, start, (int)reader.BytesConsumed);
        }

        private static bool ReadToolCall(ref Utf8JsonReader reader, List<ToolCallWire?> calls)
        {
            var call = new ToolCallWire();
            var seen = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = reader.ValueTextEquals("id"u8) ? 0 : reader.ValueTextEquals("type"u8) ? 1 : reader.ValueTextEquals("function"u8) ? 2 : -1;
                reader.Read();
                if (!FirstOccurrence(ref seen, field))
                {
                    return false;
                }

                switch (field)
                {
                    case 0 when TryString(ref reader, out var id):
                        call.Id = id;
                        break;
                    case 1 when TryString(ref reader, out var type):
                        call.Type = type;
                        break;
                    case 2 when reader.TokenType == JsonTokenType.Null:
                        break;
                    case 2 when reader.TokenType == JsonTokenType.StartObject:
                        call.Function = ReadFunction(ref reader);
                        if (call.Function is null)
                        {
                            return false;
                        }

                        break;
                    case -1:
                        reader.Skip();
                        break;
                    default:
                        return false;
                }
            }

            calls.Add(call);
            return true;
        }

        private static FunctionCallWire? ReadFunction(ref Utf8JsonReader reader)
        {
            var function = new FunctionCallWire();
            var seen = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = reader.ValueTextEquals("name"u8) ? 0 : reader.ValueTextEquals("arguments"u8) ? 1 : -1;
                reader.Read();
                if (!FirstOccurrence(ref seen, field))
                {
                    return null;
                }

                switch (field)
                {
                    case 0 when TryString(ref reader, out var name):
                        function.Name = name;
                        break;
                    case 1 when TryString(ref reader, out var arguments):
                        function.Arguments = arguments;
                        break;
                    case -1:
                        reader.Skip();
                        break;
                    default:
                        return null;
                }
            }

            return function;
        }
    }

    /// <summary>
    /// One content part (the reader on its start; left on its end): its <c>type</c>, <c>text</c> and <c>image_url.url</c>
    /// when they are strings. False for a part that is not an object, a field of another type, or a repeated field.
    /// </summary>
    private readonly record struct PartView(string? Type, string? Text, string? ImageUrl)
    {
        public static bool Read(ref Utf8JsonReader reader, out PartView part)
        {
            part = default;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            string? type = null, text = null, url = null;
            var seen = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = reader.ValueTextEquals("type"u8) ? 0 : reader.ValueTextEquals("text"u8) ? 1 : reader.ValueTextEquals("image_url"u8) ? 2 : -1;
                reader.Read();
                if (!FirstOccurrence(ref seen, field))
                {
                    return false;
                }

                switch (field)
                {
                    case 0 when reader.TokenType == JsonTokenType.String:
                        type = reader.GetString();
                        break;
                    case 1 when reader.TokenType == JsonTokenType.String:
                        text = reader.GetString();
                        break;
                    case 2 when reader.TokenType == JsonTokenType.StartObject:
                        url = ReadImageUrl(ref reader);
                        if (url is null)
                        {
                            return false;
                        }

                        break;
                    case -1:
                        reader.Skip();
                        break;
                    default:
                        return false;
                }
            }

            part = new PartView(type, text, url);
            return true;
        }

        private static string? ReadImageUrl(ref Utf8JsonReader reader)
        {
            string? url = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUrl = reader.ValueTextEquals("url"u8);
                reader.Read();
                if (isUrl && (url is not null || reader.TokenType != JsonTokenType.String))
                {
                    return null;
                }

                if (isUrl)
                {
                    url = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }

            return url;
        }
    }
}
