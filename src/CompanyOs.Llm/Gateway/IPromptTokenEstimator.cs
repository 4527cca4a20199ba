using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway;

/// <summary>
/// Estimates a request's prompt tokens before it is sent, for rate limits (TPM) and budgets. Estimates are corrected with
/// the provider's real usage afterwards, so a fast, slightly pessimistic estimate is the right trade.
/// </summary>
public interface IPromptTokenEstimator
{
    long EstimatePromptTokens(IEnumerable<ChatMessage> messages, ChatOptions? options);
}
