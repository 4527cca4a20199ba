using System.ClientModel;
using System.ClientModel.Primitives;
using CompanyOs.Llm.Configuration;
using global::OpenAI;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers.OpenAI;

/// <summary>The official OpenAI SDK chat client behind Microsoft.Extensions.AI.OpenAI's adapter, retries off.</summary>
internal static class OpenAIClientBuilder
{
    // OpenAI-compatible servers without authentication still need a non-empty credential for the SDK.
    private const string KeylessPlaceholder = "no-key";

    public static (IChatClient Client, ProviderDialect Dialect) Build(ProviderOptions provider, HttpClient http)
    {
        if (string.IsNullOrEmpty(provider.ApiKey) && provider.BaseUrl is null)
        {
            throw new ArgumentException($"Provider '{provider.Name}' has no API key.", nameof(provider));
        }

        var options = new OpenAIClientOptions
        {
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
            Transport = new HttpClientPipelineTransport(http),
        };
        if (provider.BaseUrl is { } baseUrl)
        {
            options.Endpoint = baseUrl;
        }

        var client = new OpenAIClient(new ApiKeyCredential(provider.ApiKey ?? KeylessPlaceholder), options);
        return (client.GetChatClient(provider.DefaultModel).AsIChatClient(), new OpenAIDialect());
    }
}
