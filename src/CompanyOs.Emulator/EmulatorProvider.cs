namespace CompanyOs.Emulator;

/// <summary>The provider whose wire format an emulator route speaks.</summary>
public enum EmulatorProvider
{
    /// <summary>OpenAI chat completions (<c>/v1/chat/completions</c>, <c>/v1/models</c>).</summary>
    OpenAI,

    /// <summary>Anthropic messages (<c>/v1/messages</c>, <c>/v1/messages/count_tokens</c>).</summary>
    Anthropic,

    /// <summary>Ollama chat (<c>/api/chat</c>, <c>/api/tags</c>).</summary>
    Ollama,
}
