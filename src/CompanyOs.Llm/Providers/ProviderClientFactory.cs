using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Models;
using CompanyOs.Llm.Providers.Anthropic;
using CompanyOs.Llm.Providers.Ollama;
using CompanyOs.Llm.Providers.OpenAI;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers;

/// <summary>
/// Builds the provider clients from configuration with the official SDKs (Anthropic, OpenAI + Microsoft.Extensions.AI.OpenAI,
/// OllamaSharp), each behind a <see cref="ProviderChatClient"/>. SDK retries are off (the gateway retries); the SDK's own
/// timeout is off too and <see cref="ProviderOptions.Timeout"/> is enforced by the wrapper. Each client owns its HTTP
/// connection pool and releases it on <see cref="IDisposable.Dispose"/>.
/// </summary>
public sealed class ProviderClientFactory : IProviderClientFactory
{
    /// <summary>Output tokens requested when a call sets none (Anthropic requires a value).</summary>
    public const int DefaultMaxOutputTokens = 4096;

    private readonly ModelCatalog _catalog;
    private readonly TimeProvider _timeProvider;
    private readonly Func<HttpMessageHandler> _handlerFactory;

    /// <param name="catalog">Alias resolution; default built-in aliases only.</param>
    /// <param name="timeProvider">Clock for timeouts and <c>Retry-After</c> dates.</param>
    /// <param name="handlerFactory">Innermost HTTP handler per client (tests may inject one); default a pooled <see cref="SocketsHttpHandler"/>.</param>
    public ProviderClientFactory(ModelCatalog? catalog = null, TimeProvider? timeProvider = null, Func<HttpMessageHandler>? handlerFactory = null)
    {
        _catalog = catalog ?? ModelCatalog.BuiltIn;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _handlerFactory = handlerFactory ?? (() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
    }

    /// <exception cref="ArgumentException">The provider is disabled, or lacks the API key its protocol needs.</exception>
    public IChatClient Create(ProviderOptions provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (!provider.Enabled)
        {
            throw new ArgumentException($"Provider '{provider.Name}' is disabled.", nameof(provider));
        }

        var observer = new ProviderHttpObserver(_handlerFactory(), _timeProvider);
        var http = new HttpClient(observer, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            var (inner, dialect) = provider.Kind switch
            {
                ProviderKind.Anthropic => AnthropicClientBuilder.Build(provider, http),
                ProviderKind.OpenAI => OpenAIClientBuilder.Build(provider, http),
                ProviderKind.Ollama => OllamaClientBuilder.Build(provider, http),
                _ => throw new ArgumentException($"Unknown provider kind {provider.Kind}.", nameof(provider)),
            };
            return new ProviderChatClient(inner, provider, dialect, observer, _catalog, _timeProvider, http);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }
}
