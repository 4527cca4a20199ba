using System.ClientModel;
using CompanyOs.Llm.Configuration;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers.OpenAI;

/// <summary>
/// OpenAI specifics: <see cref="ClientResultException"/> carries the status. Usage already follows the house convention
/// (<c>prompt_tokens</c> includes cached tokens; <c>prompt_tokens_details.cached_tokens</c> → cached input).
/// </summary>
internal sealed class OpenAIDialect : ProviderDialect
{
    private const string CachedTokensKey = "InputTokenDetails.CachedTokenCount";

    public override ProviderKind Kind => ProviderKind.OpenAI;

    public override int? StatusFrom(Exception exception) =>
        exception is ClientResultException { Status: >= 400 } e ? e.Status : null;

    public override UsageDetails? NormaliseUsage(UsageDetails? usage)
    {
        if (usage?.AdditionalCounts is { } extra && usage.CachedInputTokenCount is null && extra.TryGetValue(CachedTokensKey, out var cached))
        {
            usage.CachedInputTokenCount = cached;
        }

        return base.NormaliseUsage(usage);
    }
}
