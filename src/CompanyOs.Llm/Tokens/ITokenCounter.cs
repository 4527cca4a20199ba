using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tokens;

/// <summary>Counts tokens for text and chat requests. Never guesses from string length.</summary>
public interface ITokenCounter
{
    /// <summary>Tokens in <paramref name="text"/> for <paramref name="model"/> (exact when the model's tokenizer is known).</summary>
    TokenCount CountText(string text, string? model = null);

    /// <summary>
    /// Fast local estimate of a request's prompt tokens (messages, instructions and tool definitions, with chat framing),
    /// for admission control such as a tokens-per-minute limiter. No I/O. The model is taken from <see cref="ChatOptions.ModelId"/>.
    /// </summary>
    int EstimatePromptTokens(IEnumerable<ChatMessage> messages, ChatOptions? options = null);

    /// <summary>The best available prompt count: the provider's own count when it offers one and is reachable, else the local estimate.</summary>
    Task<TokenCount> CountPromptTokensAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default);
}
