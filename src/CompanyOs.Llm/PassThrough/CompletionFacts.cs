using System.Text.Json;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.PassThrough;

/// <summary>
/// What the gateway reads from an OpenAI <c>chat.completion</c> or <c>chat.completion.chunk</c> it passes through without
/// converting: ids, model, finish reason and usage. Reading validates the whole document (malformed JSON throws
/// <see cref="JsonException"/>), everything else is skipped.
/// </summary>
internal readonly record struct CompletionFacts(string? Id, string? Model, ChatFinishReason? FinishReason, UsageDetails? Usage, int Choices, bool HasChoices, bool HasError)
{
    /// <param name="json">The document.</param>
    /// <param name="knownId">
    /// An id read before (a stream's previous chunk): when the document's id is the same text, this string is returned
    /// instead of a new one. Likewise <paramref name="knownModel"/>.
    /// </param>
    /// <param name="knownModel">A model read before.</param>
    /// <exception cref="JsonException"><paramref name="json"/> is not one JSON object.</exception>
    public static CompletionFacts Read(ReadOnlySpan<byte> json, string? knownId = null, string? knownModel = null)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The provider's answer is not a JSON object.");
        }

        string? id = null, model = null;
        ChatFinishReason? finish = null;
        UsageDetails? usage = null;
        var choices = 0;
        bool hasChoices = false, hasError = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = reader.TokenType == JsonTokenType.String ? Text(ref reader, knownId) : Skip(ref reader);
            }
            else if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                model = reader.TokenType == JsonTokenType.String ? Text(ref reader, knownModel) : Skip(ref reader);
            }
            else if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                hasChoices = reader.TokenType == JsonTokenType.StartArray;
                (choices, finish) = hasChoices ? ReadChoices(ref reader) : (0, null);
                if (!hasChoices)
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    usage = ReadUsage(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                hasError = reader.TokenType != JsonTokenType.Null;
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            throw new JsonException("The provider's answer has content after its JSON object.");
        }

        return new CompletionFacts(id, model, finish, usage, choices, hasChoices, hasError);
    }

    /// <summary>The string token's text: <paramref name="known"/> when it is the same text (a stream repeats ids and models).</summary>
    private static string? Text(ref Utf8JsonReader reader, string? known) =>
        known is not null && reader.ValueTextEquals(known) ? known : reader.GetString();

    private static string? Skip(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }

    private static (int Count, ChatFinishReason? Finish) ReadChoices(ref Utf8JsonReader reader)
    {
        var count = 0;
        ChatFinishReason? finish = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            count++;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isFinish = reader.ValueTextEquals("finish_reason"u8);
                reader.Read();
                if (isFinish && reader.TokenType == JsonTokenType.String)
                {
                    finish = ReadFinishReason(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        return (count, finish);
    }

    private static ChatFinishReason ReadFinishReason(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("stop"u8) ? ChatFinishReason.Stop
        : reader.ValueTextEquals("length"u8) ? ChatFinishReason.Length
        : reader.ValueTextEquals("tool_calls"u8) || reader.ValueTextEquals("function_call"u8) ? ChatFinishReason.ToolCalls
        : reader.ValueTextEquals("content_filter"u8) ? ChatFinishReason.ContentFilter
        : new ChatFinishReason(reader.GetString()!);

    /// <summary>OpenAI's usage as the house keeps it: <c>prompt_tokens</c> includes the cached ones (see <c>UsageKeys</c>).</summary>
    private static UsageDetails ReadUsage(ref Utf8JsonReader reader)
    {
        var usage = new UsageDetails();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                usage.InputTokenCount = Count(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                usage.OutputTokenCount = Count(ref reader);
            }
            else if (reader.ValueTextEquals("total_tokens"u8))
            {
                usage.TotalTokenCount = Count(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                usage.CachedInputTokenCount = Detail(ref reader, "cached_tokens"u8);
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8))
            {
                usage.ReasoningTokenCount = Detail(ref reader, "reasoning_tokens"u8);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        usage.TotalTokenCount ??= usage.InputTokenCount + usage.OutputTokenCount;
        return usage;
    }

    private static long? Count(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            return value;
        }

        reader.Skip();
        return null;
    }

    private static long? Detail(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        long? found = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            found = reader.ValueTextEquals(name) ? Count(ref reader) ?? found : SkipCount(ref reader, found);
        }

        return found;
    }

    private static long? SkipCount(ref Utf8JsonReader reader, long? keep)
    {
        reader.Read();
        reader.Skip();
        return keep;
    }
}
