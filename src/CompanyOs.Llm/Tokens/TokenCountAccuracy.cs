namespace CompanyOs.Llm.Tokens;

/// <summary>Whether a token count is the provider's own number or an approximation.</summary>
public enum TokenCountAccuracy
{
    /// <summary>Counted with the model's own tokenizer or by the provider (e.g. Anthropic's count-tokens endpoint).</summary>
    Exact,

    /// <summary>Approximate: another model's tokenizer, or chat/tool framing the provider does not document.</summary>
    Estimate,
}
