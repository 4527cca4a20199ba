using System.Text.Json;
using CompanyOs.Llm.Serialization;
using CompanyOs.Llm.Models;
using CompanyOs.Llm.PassThrough;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tokens;

/// <summary>
/// Local token counting with tiktoken's encodings (<see cref="TiktokenBpe"/>, the ranks of <c>Microsoft.ML.Tokenizers</c>' data
/// packages in compact tables): o200k for the gpt-4o/4.1/5 and o-series families, cl100k for gpt-4/3.5. Text for those models is counted exactly; other models (Claude, open-weight) and whole chat requests (whose
/// framing providers do not fully document) are labelled estimates. Thread-safe; each encoding loads once per process, on first use.
/// </summary>
public sealed class TiktokenTokenCounter : ITokenCounter
{
    // OpenAI's published chat framing: each message costs 3 tokens around its content, and the reply is primed with 3.
    private const int PerMessageOverhead = 3;
    private const int ReplyPriming = 3;
    private const int PerToolOverhead = 8;

    private readonly ModelCatalog _catalog;
    private readonly TokenCountCache _cache = new();

    public TiktokenTokenCounter(ModelCatalog? catalog = null) => _catalog = catalog ?? ModelCatalog.BuiltIn;

    public TokenCount CountText(string text, string? model = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (tokenizer, encoding, exact) = Select(model);
        return new TokenCount(_cache.Count(tokenizer, text), exact ? TokenCountAccuracy.Exact : TokenCountAccuracy.Estimate, encoding);
    }

    public int EstimatePromptTokens(IEnumerable<ChatMessage> messages, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var tokenizer = Select(options?.ModelId).Tokenizer;
        var total = ReplyPriming;
        if (!string.IsNullOrEmpty(options?.Instructions))
        {
            total += PerMessageOverhead + _cache.Count(tokenizer, options.Instructions);
        }

        // Messages a wire endpoint read at the byte level are counted from their texts, without building them.
        if (messages is DeferredChatMessages deferred)
        {
            total += CountPrompt(tokenizer, deferred.Prompt);
        }
        else if (messages is IList<ChatMessage> list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                total += PerMessageOverhead + CountMessage(tokenizer, list[i]);
            }
        }
        else
        {
            foreach (var message in messages)
            {
                total += PerMessageOverhead + CountMessage(tokenizer, message);
            }
        }

        if (options?.Tools is { } tools)
        {
            for (var i = 0; i < tools.Count; i++)
            {
                var tool = tools[i];
                total += PerToolOverhead + _cache.Count(tokenizer, tool.Name) + _cache.Count(tokenizer, tool.Description ?? string.Empty);
                if (tool is AIFunctionDeclaration function)
                {
                    total += _cache.Count(tokenizer, function.JsonSchema.GetRawText());
                }
            }
        }

        return total;
    }

    public Task<TokenCount> CountPromptTokensAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (_, encoding, _) = Select(options?.ModelId);
        return Task.FromResult(new TokenCount(EstimatePromptTokens(messages, options), TokenCountAccuracy.Estimate, encoding));
    }

    private int CountPrompt(TiktokenBpe tokenizer, PromptTexts prompt)
    {
        var total = prompt.MessageCount * (PerMessageOverhead + 1); // framing and role, as CountMessage
        var texts = prompt.Texts;
        for (var i = 0; i < texts.Count; i++)
        {
            total += _cache.Count(tokenizer, texts[i]);
        }

        return total;
    }

    private int CountMessage(TiktokenBpe tokenizer, ChatMessage message)
    {
        var total = 1; // the role
        var contents = message.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            total += contents[i] switch
            {
                TextContent t => _cache.Count(tokenizer, t.Text ?? string.Empty),
                TextReasoningContent r => _cache.Count(tokenizer, r.Text ?? string.Empty),
                FunctionCallContent c => _cache.Count(tokenizer, c.Name) + _cache.Count(tokenizer, c.CallId) +
                    _cache.Count(tokenizer, PromptTexts.ArgumentsText(c.Arguments)),
                FunctionResultContent r => _cache.Count(tokenizer, r.CallId) + _cache.Count(tokenizer, ResultText(r.Result)),
                _ => 0,
            };
        }

        return total;
    }

    private static string ResultText(object? result) => result switch
    {
        null => string.Empty,
        string s => s,
        JsonElement e => e.GetRawText(),
        _ => JsonSerializer.Serialize(result, LlmJson.AnyValue),
    };

    private (TiktokenBpe Tokenizer, string Encoding, bool Exact) Select(string? model)
    {
        var encoding = model is null ? null : TiktokenEncodings.ForModel(_catalog.Resolve(model));
        return encoding == TiktokenEncodings.Cl100k
            ? (TiktokenBpe.Cl100k, TiktokenEncodings.Cl100k, true)
            : (TiktokenBpe.O200k, TiktokenEncodings.O200k, encoding is not null);
    }
}
