using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway;

/// <summary>
/// A tokenizer-free estimate: one token per three characters of text and function-call payload, plus a per-message overhead.
/// Pessimistic for English (≈4 characters per token), which suits limits and budgets that are corrected after the call.
/// </summary>
public sealed class CharacterPromptTokenEstimator : IPromptTokenEstimator
{
    private const int CharactersPerToken = 3;
    private const int PerMessageOverhead = 4;

    public long EstimatePromptTokens(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        long characters = options?.Instructions?.Length ?? 0;
        long count = 0;
        if (messages is IList<ChatMessage> list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                characters += Characters(list[i]);
            }

            count = list.Count;
        }
        else
        {
            foreach (var message in messages)
            {
                characters += Characters(message);
                count++;
            }
        }

        return (characters + CharactersPerToken - 1) / CharactersPerToken + (count * PerMessageOverhead);
    }

    private static long Characters(ChatMessage message)
    {
        long characters = 0;
        var contents = message.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            characters += contents[i] switch
            {
                TextContent text => text.Text?.Length ?? 0,
                TextReasoningContent reasoning => reasoning.Text?.Length ?? 0,
                FunctionCallContent call => call.Name.Length + 16 * (call.Arguments?.Count ?? 0),
                FunctionResultContent result => result.Result?.ToString()?.Length ?? 0,
                DataContent data => data.Data.Length / 4,
                _ => 0,
            };
        }

        return characters;
    }
}
