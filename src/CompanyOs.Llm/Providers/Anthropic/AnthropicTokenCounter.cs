using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Models;
using CompanyOs.Llm.Tokens;
using global::Anthropic;
using global::Anthropic.Models.Messages;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers.Anthropic;

/// <summary>
/// Exact prompt counts for Claude models from Anthropic's <c>count_tokens</c> endpoint (through the official SDK). When the
/// endpoint is unreachable or refuses the request, falls back to the local estimate — labelled as an estimate.
/// Text counts and the fast <see cref="EstimatePromptTokens"/> are always local (no I/O).
/// </summary>
public sealed class AnthropicTokenCounter : ITokenCounter, IDisposable
{
    public const string Method = "anthropic:count_tokens";

    private readonly AnthropicClient _client;
    private readonly HttpClient _http;
    private readonly ProviderOptions _provider;
    private readonly ITokenCounter _fallback;
    private readonly ModelCatalog _catalog;

    /// <param name="provider">An Anthropic provider with its key and base URL.</param>
    /// <param name="fallback">Local counter used for estimates; default <see cref="TiktokenTokenCounter"/>.</param>
    /// <param name="catalog">Alias resolution for the model sent to the endpoint.</param>
    /// <param name="handler">Innermost HTTP handler (tests); default a pooled <see cref="SocketsHttpHandler"/>.</param>
    public AnthropicTokenCounter(ProviderOptions provider, ITokenCounter? fallback = null, ModelCatalog? catalog = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (provider.Kind != ProviderKind.Anthropic)
        {
            throw new ArgumentException($"Provider '{provider.Name}' is not an Anthropic provider.", nameof(provider));
        }

        _provider = provider;
        _catalog = catalog ?? ModelCatalog.BuiltIn;
        _fallback = fallback ?? new TiktokenTokenCounter(_catalog);
        _http = new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _client = AnthropicClientBuilder.CreateSdkClient(provider, _http);
    }

    public TokenCount CountText(string text, string? model = null) => _fallback.CountText(text, model);

    public int EstimatePromptTokens(IEnumerable<ChatMessage> messages, ChatOptions? options = null) =>
        _fallback.EstimatePromptTokens(messages, options);

    public async Task<TokenCount> CountPromptTokensAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyCollection<ChatMessage> ?? messages.ToList();
        var model = _catalog.Resolve(options?.ModelId ?? _provider.DefaultModel);
        var body = AnthropicCountTokensBody.Build(list, options, model);
        if (body is not null)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_provider.Timeout);
            try
            {
                var parameters = MessageCountTokensParams.FromRawUnchecked(
                    new Dictionary<string, System.Text.Json.JsonElement>(), new Dictionary<string, System.Text.Json.JsonElement>(), body);
                var counted = await _client.Messages.CountTokens(parameters, timeout.Token).ConfigureAwait(false);
                return new TokenCount(checked((int)counted.InputTokens), TokenCountAccuracy.Exact, Method);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not ArgumentException)
            {
                // Unreachable or refused: an estimate is still useful, and it says so.
            }
        }

        return await _fallback.CountPromptTokensAsync(list, options, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _http.Dispose();
}
