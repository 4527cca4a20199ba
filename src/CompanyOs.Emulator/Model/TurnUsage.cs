namespace CompanyOs.Emulator.Model;

/// <summary>
/// Token usage of a turn. <see cref="InputTokens"/> is the whole prompt including cached parts;
/// <see cref="CacheReadTokens"/> + <see cref="CacheWriteTokens"/> never exceed it. Each dialect renders it its own way
/// (Anthropic's <c>input_tokens</c> excludes both cache counts; OpenAI's <c>prompt_tokens</c> includes cached tokens).
/// </summary>
internal sealed record TurnUsage(int InputTokens, int OutputTokens, int CacheReadTokens, int CacheWriteTokens)
{
    public int UncachedInputTokens => InputTokens - CacheReadTokens - CacheWriteTokens;
}
