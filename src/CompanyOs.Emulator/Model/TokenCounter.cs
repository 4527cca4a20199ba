using System.Text.Json;
using CompanyOs.Emulator.Conversation;
using CompanyOs.Llm.Tokens;

namespace CompanyOs.Emulator.Model;

/// <summary>
/// Counts tokens with the o200k encoding (gpt-4o family) through the gateway's own exact counter (<see cref="TiktokenBpe"/>,
/// shared with the gateway when both run in one process). Not <c>Microsoft.ML.Tokenizers</c>' tokenizer: one instance of
/// it (2.0.1), after counting many texts, stopped recognising special tokens such as <c>&lt;|endoftext|&gt;</c>, so the
/// emulator's usage depended on what it had counted before. Providers tokenize differently, so counts for Claude and
/// Llama models are realistic but not identical to the real services. Message framing follows OpenAI's published
/// accounting (3 tokens per message, 3 for the reply primer).
/// </summary>
internal sealed class TokenCounter
{
    private const int PerMessageOverhead = 3;
    private const int ReplyPrimer = 3;
    private const int PerToolOverhead = 8;

    private readonly TiktokenBpe _tokenizer = TiktokenBpe.O200k;

    public int Count(string text) => string.IsNullOrEmpty(text) ? 0 : _tokenizer.CountTokens(text);

    public int CountPrompt(EmulatedRequest request)
    {
        var total = ReplyPrimer;
        foreach (var message in request.Messages)
        {
            total += PerMessageOverhead + Count(message.Text);
            foreach (var call in message.ToolCalls)
            {
                total += Count(call.Name) + Count(call.ArgumentsJson) + PerMessageOverhead;
            }

            foreach (var result in message.ToolResults)
            {
                total += Count(result.Content) + PerMessageOverhead;
            }
        }

        foreach (var tool in request.Tools)
        {
            total += PerToolOverhead + Count(tool.Name) + Count(tool.Description ?? string.Empty);
            if (tool.Schema is { } schema)
            {
                total += Count(JsonSerializer.Serialize(schema, EmulatorJsonContext.Default.JsonElement));
            }
        }

        return total;
    }

    public int CountOutput(string text, IReadOnlyList<GeneratedToolCall> calls)
    {
        var total = Count(text);
        foreach (var call in calls)
        {
            total += Count(call.Name) + Count(call.ArgumentsJson) + PerMessageOverhead;
        }

        return Math.Max(total, 1);
    }

    /// <summary>Returns the longest prefix of <paramref name="text"/> that fits in <paramref name="maxTokens"/> tokens.</summary>
    public string Truncate(string text, int maxTokens) => text[.._tokenizer.FittingPrefixLength(text, maxTokens)];
}
