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

        var objectStart = (int)reader.TokenStartIndex;
        var request = new ChatCompletionRequest();
        var prompt = new PromptTexts();
        int messagesStart = -1, messagesEnd = -1, modelStart = -1, modelEnd = -1, seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = FieldOf(ref reader);
            reader.Read();
            if (!FirstOccurrence(ref seen, field))
            {
                return null; // repeated: the wire type keeps the last, a case not worth vouching for
            }

            switch (field)
            {
                case Model when TryString(ref reader, out var model):
                    request.Model = model;
                    (modelStart, modelEnd) = ((int)reader.TokenStartIndex, (int)reader.BytesConsumed);
                    break;
                case Messages when reader.TokenType == JsonTokenType.StartArray:
                    messagesStart = (int)reader.TokenStartIndex;
                    if (!ChatMessagesView.Read(ref reader, span, prompt))
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
        var streams = request.Stream == true;
        var includeUsage = request.StreamOptions?.IncludeUsage == true;
        // The pass-through form from this same read: the body is not scanned again for it.
        var passThrough = PassThroughRequest.FromRead(body, objectStart, modelStart..modelEnd, request.Model, streams,
            streamOptionsSent: (seen & (1 << StreamOptions)) != 0, includeUsage);
        return new ChatCall(request.Model, messages, options, streams, includeUsage, passThrough);
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

    private static T? Deserialize<T>(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return JsonSerializer.Deserialize(body[start..(int)reader.BytesConsumed], type);
    }

    /// <summary>
    /// Marks field number <paramref name="field"/> (a bit of <paramref name="seen"/>; -1, a field not read, is never marked)
    /// as seen in the current object; false when it was already: a repeated field, which the views do not vouch for.
    /// </summary>
    internal static bool FirstOccurrence(ref int seen, int field)
    {
        if (field < 0)
        {
            return true;
        }

        var bit = 1 << field;
        if ((seen & bit) != 0)
        {
            return false;
        }

        seen |= bit;
        return true;
    }

    internal static bool TryString(ref Utf8JsonReader reader, out string? value)
    {
        value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return reader.TokenType is JsonTokenType.String or JsonTokenType.Null;
    }

    internal static bool TryBoolean(ref Utf8JsonReader reader, out bool? value)
    {
        value = reader.TokenType switch { JsonTokenType.True => true, JsonTokenType.False => false, _ => null };
        return reader.TokenType is JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null;
    }

    internal static bool TryDouble(ref Utf8JsonReader reader, out double? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number))
        {
            value = number;
        }

        return value is not null || reader.TokenType == JsonTokenType.Null;
    }

    internal static bool TryInt32(ref Utf8JsonReader reader, out int? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number))
        {
            value = number;
        }

        return value is not null || reader.TokenType == JsonTokenType.Null;
    }
}
