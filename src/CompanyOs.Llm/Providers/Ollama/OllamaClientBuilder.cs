using System.Net.Http.Headers;
using CompanyOs.Llm.Configuration;
using Microsoft.Extensions.AI;
using OllamaSharp;

namespace CompanyOs.Llm.Providers.Ollama;

/// <summary>OllamaSharp's <see cref="OllamaApiClient"/> (itself an <see cref="IChatClient"/>) over our HTTP client.</summary>
internal static class OllamaClientBuilder
{
    /// <summary>Where a local Ollama listens by default.</summary>
    public static readonly Uri DefaultBaseUrl = new("http://127.0.0.1:11434");

    public static (IChatClient Client, ProviderDialect Dialect) Build(ProviderOptions provider, HttpClient http)
    {
        http.BaseAddress = provider.BaseUrl ?? DefaultBaseUrl;
        if (!string.IsNullOrEmpty(provider.ApiKey))
        {
            // Ollama itself takes no key; a reverse proxy in front of it may.
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", provider.ApiKey);
        }

        return (new OllamaApiClient(http, provider.DefaultModel), new OllamaDialect());
    }
}
