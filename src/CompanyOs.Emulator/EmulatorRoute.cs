namespace CompanyOs.Emulator;

/// <summary>The routes the emulator serves; used to count requests and to target faults.</summary>
public enum EmulatorRoute
{
    /// <summary><c>POST /v1/chat/completions</c>.</summary>
    OpenAIChatCompletions,

    /// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>.</summary>
    OpenAIModels,

    /// <summary><c>POST /v1/messages</c>.</summary>
    AnthropicMessages,

    /// <summary><c>POST /v1/messages/count_tokens</c>.</summary>
    AnthropicCountTokens,

    /// <summary><c>POST /api/chat</c>.</summary>
    OllamaChat,

    /// <summary><c>GET /api/tags</c>.</summary>
    OllamaTags,
}
