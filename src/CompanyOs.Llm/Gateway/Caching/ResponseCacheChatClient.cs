using System.Runtime.CompilerServices;
using System.Text.Json;
using CompanyOs.Llm.Serialization;
using CompanyOs.Llm.PassThrough;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;

namespace CompanyOs.Llm.Gateway.Caching;

/// <summary>
/// Exact-match response cache over <see cref="HybridCache"/>, used when the call opts in (<c>LlmCallContext.UseCache</c>) or the
/// configuration turns it on for all calls. Concurrent identical requests share one upstream call. A hit is marked on the
/// call (cost 0, no attempts). Streams are served from the cache as updates and stored once they completed. A cached call
/// is converted, never passed through (<see cref="PassThroughRequest"/>): what is stored must be a complete response.
/// </summary>
internal sealed class ResponseCacheChatClient(IChatClient innerClient, HybridCache cache, ResponseCacheOptions cacheOptions) : DelegatingChatClient(innerClient)
{
    private static readonly HybridCacheEntryOptions ReadOnly = new()
    {
        Flags = HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableDistributedCacheWrite,
    };

    private readonly HybridCacheEntryOptions _entry = new() { Expiration = cacheOptions.Expiration, LocalCacheExpiration = cacheOptions.Expiration };

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);

        // Not cached: the inner task is handed straight back, without an async state of this stage's own.
        return Applies(call, options) ? GetCachedAsync(call, messages, options, cancellationToken) : base.GetResponseAsync(messages, options, cancellationToken);
    }

    private async Task<ChatResponse> GetCachedAsync(GatewayCall call, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var fill = new Fill(this, messages, options);
        var bytes = await cache.GetOrCreateAsync(
            ResponseCacheKey.Compute(call, messages, options), fill, static (f, ct) => f.RunAsync(ct), _entry, cancellationToken: cancellationToken).ConfigureAwait(false);
        return fill.Response ?? Hit(call, bytes);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        if (!Applies(call, options))
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        var key = ResponseCacheKey.Compute(call, messages, options);
        var cached = await cache.GetOrCreateAsync(key, static _ => ValueTask.FromResult<byte[]?>(null), ReadOnly, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (cached is { Length: > 0 })
        {
            foreach (var update in Hit(call, cached).ToChatResponseUpdates())
            {
                yield return update;
            }

            yield break;
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
            yield return update;
        }

        await cache.SetAsync(key, Serialize(updates.ToChatResponse()), _entry, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private bool Applies(GatewayCall call, ChatOptions? options)
    {
        if (!cacheOptions.Enabled && call.Context?.UseCache != true)
        {
            return false;
        }

        PassThroughRequest.Detach(options);
        return true;
    }

    private static ChatResponse Hit(GatewayCall call, byte[] bytes)
    {
        var response = JsonSerializer.Deserialize(bytes, LlmJson.AI<ChatResponse>())
            ?? throw new InvalidOperationException("The response cache returned an empty entry.");
        call.CacheHit = true;
        call.Usage = null;
        call.AnsweredModel = response.ModelId;
        return response;
    }

    private static byte[] Serialize(ChatResponse response) => JsonSerializer.SerializeToUtf8Bytes(response, LlmJson.AI<ChatResponse>());

    /// <summary>The upstream call made when the key is missing; remembers the live response so the caller gets it, not a copy.</summary>
    private sealed class Fill(ResponseCacheChatClient owner, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        public ChatResponse? Response { get; private set; }

        public async ValueTask<byte[]> RunAsync(CancellationToken cancellationToken)
        {
            Response = await owner.InnerClient.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            return Serialize(Response);
        }
    }
}
