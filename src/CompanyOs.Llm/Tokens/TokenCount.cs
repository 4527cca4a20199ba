namespace CompanyOs.Llm.Tokens;

/// <summary>A token count labelled with how it was obtained.</summary>
/// <param name="Tokens">The number of tokens.</param>
/// <param name="Accuracy">Exact or estimate.</param>
/// <param name="Method">What counted: <c>o200k_base</c>, <c>cl100k_base</c>, <c>anthropic:count_tokens</c>.</param>
public readonly record struct TokenCount(int Tokens, TokenCountAccuracy Accuracy, string Method)
{
    public bool IsEstimate => Accuracy == TokenCountAccuracy.Estimate;

    public override string ToString() => $"{Tokens} tokens ({(IsEstimate ? "estimate" : "exact")}, {Method})";
}
