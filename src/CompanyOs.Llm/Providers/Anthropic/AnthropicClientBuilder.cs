using global::Anthropic;
using global::Anthropic.Core;
using CompanyOs.Llm.Configuration;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers.Anthropic;

/// <summary>The official Anthropic SDK client and its <see cref="IChatClient"/> adapter, retries off.</summary>
internal static class AnthropicClientBuilder
{
    public static (IChatClient Client, ProviderDialect Dialect) Build(ProviderOptions provider, HttpClient http)
    {
        if (string.IsNullOrEmpty(provider.ApiKey))
        {
            throw new ArgumentException($"Provider '{provider.Name}' has no API key.", nameof(provider));
        }

        var client = CreateSdkClient(provider, http);
        return (client.AsIChatClient(provider.DefaultModel, ProviderClientFactory.DefaultMaxOutputTokens), new AnthropicDialect());
    }

    /// <summary>The SDK client with our HTTP client, base URL and key; SDK retries and timeout off.</summary>
    public static AnthropicClient CreateSdkClient(ProviderOptions provider, HttpClient http) => new(new ClientOptions
    {
        ApiKey = provider.ApiKey,
        BaseUrl = (provider.BaseUrl ?? new Uri("https://api.anthropic.com")).ToString().TrimEnd('/'),
        HttpClient = http,
        MaxRetries = 0,
        Timeout = Timeout.InfiniteTimeSpan,
    });
}
