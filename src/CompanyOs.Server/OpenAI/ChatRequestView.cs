using System.Text.Json;
using CompanyOs.Llm.PassThrough;
using CompanyOs.Llm.Tokens;
using CompanyOs.Server.Errors;
using Microsoft.Extensions.AI;

namespace CompanyOs.Server.OpenAI;

/// <summary>
/// Reads an OpenAI chat completions request straight from its bytes (<see cref="Utf8JsonReader"/>, one pass) into what the
/// gateway's policies need: model, stream flags, the options (through <see cref="ChatRequestReader.ReadOptions"/>, so they
/// are exactly the converting way's) and, instead of built messages, <see cref="DeferredChatMessages"/> carrying the texts the
/// prompt estimate counts. On the pass-through path nothing else reads the messages, so no <see cref="ChatMessage"/> is built.
/// <para>
/// It vouches only for requests the full reader (<see cref="ChatRequestReader"/>) accepts, and checks everything that one
/// checks; for anything else — every invalid body, and a few legal oddities such as a repeated field — it returns null and the
/// caller takes the full way, whose 400 names the problem exactly as before.
/// </para>
/// </summary>
internal static class ChatRequestView
{
    private const int Model = 0, Messages = 1, Tools = 2, ToolChoice = 3, ParallelToolCalls = 4, Temperature = 5, TopP = 6,
        MaxTokens = 7, MaxCompletionTokens = 8, Stop = 9, Seed = 10, FrequencyPenalty = 11, PresencePenalty = 12, N = 13,
        ResponseFormat = 14, User = 15, Metadata = 16, Stream = 17, StreamOptions = 18;

    /// <summary>The request as a <see cref="ChatCall"/> with deferred messages, or null when the full reader must judge it.</summary>
    public static ChatCall? TryRead(ReadOnlyMemory<byte> body)
    {
        try
        {
            return Read(body);
        }
        catch (Exception e) when (e is JsonException or ApiRequestException or InvalidOperationException or ArgumentException or FormatException)
        {
            // Not one to vouch for (bad JSON, a wrong type, a value the full reader refuses): the full way reports it.
            return null;
        }
    }

    private static ChatCall? Read(ReadOnlyMemory<byte> body)
    {
        var span = body.Span;
        var reader = new Utf8JsonReader(span);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var request = new ChatCompletionRequest();
        var prompt = new PromptTexts();
        int messagesStart = -1, messagesEnd = -1, seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = FieldOf(ref reader);
            reader.Read();
            if (field >= 0 && (seen & (1 << field)) != 0)
            {
                return null; // repeated: the wire type keeps the last, a case not worth vouching for
            }

            seen |= field >= 0 ? 1 << field : 0;
            switch (field)
            {
                case Model when TryString(ref reader, out var model):
                    request.Model = model;
                    break;
                case Messages when reader.TokenType == JsonTokenType.StartArray:
                    messagesStart = (int)reader.TokenStartIndex;
                    if (!ReadMessages(ref reader, span, prompt))
                    {
                        return null;
                    }

                    messagesEnd = (int)reader.BytesConsumed;
                    break;
                case Tools:
                    request.Tools = Deserialize(ref reader, span, OpenAIJsonContext.Default.ListToolWire);
                    break;
                case ToolChoice:
                    request.ToolChoice = JsonElement.ParseValue(ref reader);
                    break;
                case Stop:
                    request.Stop = JsonElement.ParseValue(ref reader);
                    break;
                case ResponseFormat:
                    request.ResponseFormat = Deserialize(ref reader, span, OpenAIJsonContext.Default.ResponseFormatWire);
                    break;
                case StreamOptions:
                    request.StreamOptions = Deserialize(ref reader, span, OpenAIJsonContext.Default.StreamOptionsWire);
                    break;
                case Metadata:
                    request.Metadata = Deserialize(ref reader, span, OpenAIJsonContext.Default.DictionaryStringString);
                    break;
                case User when TryString(ref reader, out var user):
                    request.User = user;
                    break;
                case ParallelToolCalls when TryBoolean(ref reader, out var parallel):
                    request.ParallelToolCalls = parallel;
                    break;
                case Stream when TryBoolean(ref reader, out var stream):
                    request.Stream = stream;
                    break;
                case Temperature when TryDouble(ref reader, out var temperature):
                    request.Temperature = temperature;
                    break;
                case TopP when TryDouble(ref reader, out var topP):
                    request.TopP = topP;
                    break;
                case FrequencyPenalty when TryDouble(ref reader, out var frequency):
                    request.FrequencyPenalty = frequency;
                    break;
                case PresencePenalty when TryDouble(ref reader, out var presence):
                    request.PresencePenalty = presence;
                    break;
                case MaxTokens when TryInt32(ref reader, out var maxTokens):
                    request.MaxTokens = maxTokens;
                    break;
                case MaxCompletionTokens when TryInt32(ref reader, out var maxCompletion):
                    request.MaxCompletionTokens = maxCompletion;
                    break;
                case N when TryInt32(ref reader, out var n):
                    request.N = n;
                    break;
                case Seed when reader.TokenType is JsonTokenType.Null or JsonTokenType.Number:
                    request.Seed = reader.TokenType == JsonTokenType.Null ? null : reader.TryGetInt64(out var seed) ? seed : throw new FormatException();
                    break;
                case -1:
                    reader.Skip();
                    break;
                default:
                    return null; // a known field of the wrong JSON type
            }
        }

        // The object must be complete and the only value in the body (the reader throws on anything after it).
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read() || string.IsNullOrWhiteSpace(request.Model) || messagesStart < 0)
        {
            return null;
        }

        var options = ChatRequestReader.ReadOptions(request);
        var messages = new DeferredChatMessages(prompt, () =>
            ChatMessageReader.Read(JsonSerializer.Deserialize(body.Span[messagesStart..messagesEnd], OpenAIJsonContext.Default.ListChatMessageWire)!));
        return new ChatCall(request.Model, messages, options, request.Stream == true, request.StreamOptions?.IncludeUsage == true);
    }

    private static int FieldOf(ref Utf8JsonReader reader)
    {
        // Most bodies name only a few fields; the common ones first.
        if (reader.ValueTextEquals("model"u8)) return Model;
        if (reader.ValueTextEquals("messages"u8)) return Messages;
        if (reader.ValueTextEquals("stream"u8)) return Stream;
        if (reader.ValueTextEquals("max_tokens"u8)) return MaxTokens;
        if (reader.ValueTextEquals("max_completion_tokens"u8)) return MaxCompletionTokens;
        if (reader.ValueTextEquals("temperature"u8)) return Temperature;
        if (reader.ValueTextEquals("tools"u8)) return Tools;
        if (reader.ValueTextEquals("tool_choice"u8)) return ToolChoice;
        if (reader.ValueTextEquals("stream_options"u8)) return StreamOptions;
        if (reader.ValueTextEquals("top_p"u8)) return TopP;
        if (reader.ValueTextEquals("stop"u8)) return Stop;
        if (reader.ValueTextEquals("seed"u8)) return Seed;
        if (reader.ValueTextEquals("user"u8)) return User;
        if (reader.ValueTextEquals("n"u8)) return N;
        if (reader.ValueTextEquals("parallel_tool_calls"u8)) return ParallelToolCalls;
        if (reader.ValueTextEquals("frequency_penalty"u8)) return FrequencyPenalty;
        if (reader.ValueTextEquals("presence_penalty"u8)) return PresencePenalty;
        if (reader.ValueTextEquals("response_format"u8)) return ResponseFormat;
        if (reader.ValueTextEquals("metadata"u8)) return Metadata;
        return -1;
    }

    /// <summary>
    /// The messages array (the reader on its start; left on its end): each message checked as <see cref="ChatMessageReader"/>
    /// checks it, its texts added to <paramref name="prompt"/> as <see cref="TiktokenTokenCounter"/> would count the built
    /// message. False for anything the full reader refuses or this one does not vouch for.
    /// </summary>
    private static bool ReadMessages(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, PromptTexts prompt)
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

    private static T? Deserialize<T>(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return JsonSerializer.Deserialize(body[start..(int)reader.BytesConsumed], type);
    }

    private static bool TryString(ref Utf8JsonReader reader, out string? value)
    {
        value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return reader.TokenType is JsonTokenType.String or JsonTokenType.Null;
    }

    private static bool TryBoolean(ref Utf8JsonReader reader, out bool? value)
    {
        value = reader.TokenType switch { JsonTokenType.True => true, JsonTokenType.False => false, _ => null };
        return reader.TokenType is JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null;
    }

    private static bool TryDouble(ref Utf8JsonReader reader, out double? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number))
        {
            value = number;
        }

        return value is not null || reader.TokenType == JsonTokenType.Null;
    }

    private static bool TryInt32(ref Utf8JsonReader reader, out int? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number))
        {
            value = number;
        }

        return value is not null || reader.TokenType == JsonTokenType.Null;
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
                if (field >= 0 && (seen & (1 << field)) != 0)
                {
                    return false;
                }

                seen |= field >= 0 ? 1 << field : 0;
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
                if (field >= 0 && (seen & (1 << field)) != 0)
                {
                    return false;
                }

                seen |= field >= 0 ? 1 << field : 0;
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
                if (field >= 0 && (seen & (1 << field)) != 0)
                {
                    return null;
                }

                seen |= field >= 0 ? 1 << field : 0;
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
                if (field >= 0 && (seen & (1 << field)) != 0)
                {
                    return false;
                }

                seen |= field >= 0 ? 1 << field : 0;
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
