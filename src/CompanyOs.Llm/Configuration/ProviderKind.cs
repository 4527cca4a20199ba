namespace CompanyOs.Llm.Configuration;

/// <summary>Which wire protocol (and official SDK) a provider speaks.</summary>
public enum ProviderKind
{
    Anthropic,
    /// <summary>OpenAI or any OpenAI-compatible server (vLLM, LM Studio, OpenRouter…).</summary>
    OpenAI,
    Ollama,
}
