using System.Text.Json;
using CompanyOs.Llm.Models;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace CompanyOs.Llm.Tokens;

/// <summary>
/// Local token counting with <c>Microsoft.ML.Tokenizers</c>: o200k for the gpt-4o/4.1/5 and o-series families, cl100k for
/// gpt-4/3.5. Text for those models is counted exactly; other models (Claude, open-weight) and whole chat requests (whose
/// framing providers do not fully document) are labelled estimates. Thread-safe; tokenizers load once, on first use.
/// </summary>
public sealed class TiktokenTokenCounter : ITokenCounter
{
    // OpenAI's published chat framing: each message costs 3 tokens around its content, and the reply is primed with 3.
    private const int PerMessageOverhead = 3;
    private const int ReplyPriming = 3;
    private const int PerToolOverhead = 8;

    private readonly Lazy<Tokenizer> _o200k = new(() => TiktokenTokenizer.CreateForEncoding(TiktokenEncodings.O200k));
    private readonly Lazy<Tokenizer> _cl100k = new(() => TiktokenTokenizer.CreateForEncoding(TiktokenEncodings.Cl100k));
    private readonly ModelCatalog _catalog;

    public TiktokenTokenCounter(ModelCatalog? catalog = null) => _catalog = catalog ?? ModelCatalog.BuiltIn;

    public TokenCount CountText(string text, string? model = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (tokenizer, encoding, exact) = Select(model);
        return new TokenCount(tokenizer.CountTokens(text), exact ? TokenCountAccuracy.Exact : TokenCountAccuracy.Estimate, encoding);
    }

    public int EstimatePromptTokens(IEnumerable<ChatMessage> messages, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var tokenizer = Select(options?.ModelId).Tokenizer;
        var total = ReplyPriming;
        if (!string.IsNullOrEmpty(options?.Instructions))
        {
            total += PerMessageOverhead + tokenizer.CountTokens(options.Instructions);
        }

        foreach (var message in messages)
        {
            total += PerMessageOverhead + CountMessage(tokenizer, message);
        }

        foreach (var tool in options?.Tools ?? [])
        {
            total += PerToolOverhead + tokenizer.CountTokens(tool.Name) + tokenizer.CountTokens(tool.Description ?? string.Empty);
            if (tool is AIFunctionDeclaration function)
            {
                total += tokenizer.CountTokens(function.JsonSchema.GetRawText());
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

    private static int CountMessage(Tokenizer tokenizer, ChatMessage message)
    {
        var total = 1; // the role
        foreach (var content in message.Contents)
        {
            total += content switch
            {
                TextContent t => tokenizer.CountTokens(t.Text ?? string.Empty),
                TextReasoningContent r => tokenizer.CountTokens(r.Text ?? string.Empty),
                FunctionCallContent c => tokenizer.CountTokens(c.Name) + tokenizer.CountTokens(c.CallId) +
                    tokenizer.CountTokens(JsonSerializer.Serialize(c.Arguments, AIJsonUtilities.DefaultOptions)),
                FunctionResultContent r => tokenizer.CountTokens(r.CallId) + tokenizer.CountTokens(ResultText(r.Result)),
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
        _ => JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions),
    };

    private (Tokenizer Tokenizer, string Encoding, bool Exact) Select(string? model)
    {
        var encoding = model is null ? null : TiktokenEncodings.ForModel(_catalog.Resolve(model));
        return encoding == TiktokenEncodings.Cl100k
            ? (_cl100k.Value, TiktokenEncodings.Cl100k, true)
            : (_o200k.Value, TiktokenEncodings.O200k, encoding is not null);
    }
}
