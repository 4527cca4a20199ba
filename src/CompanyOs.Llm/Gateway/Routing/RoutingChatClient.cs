using System.Runtime.CompilerServices;
using CompanyOs.Llm.Calls;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway.Routing;

/// <summary>
/// The outermost policy: resolves provider and model (<see cref="ModelRouter"/>) before anything else happens, and starts the
/// call's state on the gateway's own copy of the options (the caller's options are never modified).
/// </summary>
internal sealed class RoutingChatClient(IChatClient innerClient, ModelRouter router, TimeProvider time) : DelegatingChatClient(innerClient)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return base.GetResponseAsync(messages, Route(options), cancellationToken);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        await foreach (var update in base.GetStreamingResponseAsync(messages, Route(options), cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    private GatewayChatOptions Route(ChatOptions? options)
    {
        var context = options.GetCallContext();
        var route = router.Resolve(options?.ModelId, context);
        return new GatewayChatOptions(options, new GatewayCall(route, context, time.GetTimestamp())) { ModelId = route.Model };
    }
}
