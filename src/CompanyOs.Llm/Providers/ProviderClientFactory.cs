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
/// client and releases it on <see cref="IDisposable.Dispose"/>.
/// </summary>
/// <remarks>
/// A gateway builds this factory itself from its own clock and model catalog (<see cref="Gateway.GatewayBuilder"/>), and
/// <c>AddLlmGateway</c> builds it over <see cref="IHttpClientFactory"/>; construct one directly only to use provider
/// clients without a gateway.
/// </remarks>
public sealed class ProviderClientFactory : IProviderClientFactory
{
    /// <summary>Output tokens requested when a call sets none (Anthropic requires a value).</summary>
    public const int DefaultMaxOutputTokens = 4096;

    /// <summary>
    /// Prefix of the named <see cref="HttpClient"/> each provider gets from <see cref="IHttpClientFactory"/> under
    /// <c>AddLlmGateway</c>: <c>CompanyOs.Llm.</c> + the provider's name (e.g. <c>CompanyOs.Llm.openai</c>).
    /// </summary>
    public const string HttpClientNamePrefix = "CompanyOs.Llm.";

    private readonly ModelCatalog _catalog;
    private readonly TimeProvider _timeProvider;
    private readonly Func<ProviderOptions, ProviderHttp> _httpClients;

    /// <param name="catalog">Alias resolution; default built-in aliases only.</param>
    /// <param name="timeProvider">Clock for timeouts and <c>Retry-After</c> dates.</param>
    /// <param name="handlerFactory">Innermost HTTP handler per client (tests may inject one); default a pooled <see cref="SocketsHttpHandler"/>.</param>
    public ProviderClientFactory(ModelCatalog? catalog = null, TimeProvider? timeProvider = null, Func<HttpMessageHandler>? handlerFactory = null)
    {
        _catalog = catalog ?? ModelCatalog.BuiltIn;
        _timeProvider = timeProvider ?? TimeProvider.System;
        var handlers = handlerFactory ?? CreateDefaultHandler;
        var time = _timeProvider;
        _httpClients = _ =>
        {
            var chain = new ProviderHttpObserver(handlers(), time);
            return new ProviderHttp(new HttpClient(chain, disposeHandler: true), chain);
        };
    }

    /// <summary>
    /// Provider HTTP from <paramref name="httpClients"/>, whose named clients carry a <see cref="ProviderHttpObserver"/> (see
    /// <c>AddLlmGateway</c>); <paramref name="handlers"/> (the same factory) gives the pass-through that client's handler chain.
    /// </summary>
    internal ProviderClientFactory(IHttpClientFactory httpClients, IHttpMessageHandlerFactory handlers, ModelCatalog catalog, TimeProvider timeProvider)
    {
        _catalog = catalog;
        _timeProvider = timeProvider;
        _httpClients = provider =>
        {
            // The handler first: the client made right after it wraps the same active handler of the name.
            var chain = handlers.CreateHandler(HttpClientName(provider.Name));
            return new ProviderHttp(httpClients.CreateClient(HttpClientName(provider.Name)), chain);
        };
    }

    /// <summary>
    /// The innermost handler of a provider's HTTP client: pooled connections renewed every 5 minutes (DNS changes are picked
    /// up), no cookie container (one client serves every caller of the gateway: a cookie one answer set must not ride on
    /// another caller's request) and no redirect following (an API answers, it does not redirect; a POST replayed as a GET
    /// elsewhere is never what the caller sent) — which also keeps both stages out of every request. Its connections are
    /// <see cref="ProviderSockets"/>', whose completions can follow a <see cref="ProviderReads.PreferInline"/> scope.
    /// </summary>
    internal static SocketsHttpHandler CreateDefaultHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        UseCookies = false,
        AllowAutoRedirect = false,
        ConnectCallback = ProviderSockets.ConnectAsync,
    };

    /// <summary>The name of the <see cref="IHttpClientFactory"/> client for <paramref name="provider"/>.</summary>
    public static string HttpClientName(string provider) => HttpClientNamePrefix + provider;

    /// <exception cref="ArgumentException">The provider is disabled, or lacks the API key its protocol needs.</exception>
    public IChatClient Create(ProviderOptions provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (!provider.Enabled)
        {
            throw new ArgumentException($"Provider '{provider.Name}' is disabled.", nameof(provider));
        }

        var http = _httpClients(provider);
        http.Client.Timeout = Timeout.InfiniteTimeSpan;
        try
        {
            var (inner, dialect) = provider.Kind switch
            {
                ProviderKind.Anthropic => AnthropicClientBuilder.Build(provider, http.Client),
                ProviderKind.OpenAI => OpenAIClientBuilder.Build(provider, http.Client),
                ProviderKind.Ollama => OllamaClientBuilder.Build(provider, http.Client),
                _ => throw new ArgumentException($"Unknown provider kind {provider.Kind}.", nameof(provider)),
            };
            // A provider speaking the OpenAI wire can be sent a client's OpenAI request as it came (PassThroughRequest).
            var passThrough = provider.Kind == ProviderKind.OpenAI ? new OpenAIPassThrough(http, provider, _timeProvider) : null;
            return new ProviderChatClient(inner, provider, dialect, _catalog, _timeProvider, http, passThrough);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }
}
