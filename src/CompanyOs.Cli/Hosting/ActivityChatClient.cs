using System.Runtime.CompilerServices;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Costs;
using CompanyOs.Llm.Gateway.Routing;
using CompanyOs.Llm.Models;
using Microsoft.Extensions.AI;

namespace CompanyOs.Cli.Hosting;

/// <summary>
/// Tells <see cref="GatewayActivity"/> when each model call of a run starts and ends (and on which provider/model the
/// gateway will route it), so that a terminal can show what the run is waiting for.
/// </summary>
internal sealed class ActivityChatClient(IChatClient inner, GatewayActivity activity, LlmOptions options) : DelegatingChatClient(inner)
{
    private readonly ModelRouter _router = new(options, ModelCatalog.FromOptions(options), PriceTable.LoadDefault().WithOverrides(options.Prices));

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        activity.CallStarting(Route(options));
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            activity.CallEnded();
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        activity.CallStarting(Route(options));
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }
        }
        finally
        {
            activity.CallEnded();
        }
    }

    private string? Route(ChatOptions? chatOptions)
    {
        try
        {
            var route = _router.Resolve(chatOptions?.ModelId, chatOptions.GetCallContext());
            return $"{route.Provider.Name}/{route.Model}";
        }
        catch (RoutingException)
        {
            return chatOptions?.ModelId;
        }
    }
}
