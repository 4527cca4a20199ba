namespace CompanyOs.Emulator;

/// <summary>Maps routes to the provider whose wire format they speak.</summary>
public static class EmulatorRouteExtensions
{
    /// <summary>Returns the provider that owns <paramref name="route"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The route is not a defined value.</exception>
    public static EmulatorProvider Provider(this EmulatorRoute route) => route switch
    {
        EmulatorRoute.OpenAIChatCompletions or EmulatorRoute.OpenAIModels => EmulatorProvider.OpenAI,
        EmulatorRoute.AnthropicMessages or EmulatorRoute.AnthropicCountTokens => EmulatorProvider.Anthropic,
        EmulatorRoute.OllamaChat or EmulatorRoute.OllamaTags => EmulatorProvider.Ollama,
        _ => throw new ArgumentOutOfRangeException(nameof(route), route, "Unknown emulator route."),
    };
}
