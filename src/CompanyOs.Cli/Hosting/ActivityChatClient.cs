using System.Runtime.CompilerServices;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
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
        catch (ProviderException e)
        {
            activity.CallFailed(e);
            throw;
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
        var stream = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (await NextAsync(stream).ConfigureAwait(false))
            {
                yield return stream.Current;
            }
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            activity.CallEnded();
        }
    }

    // A yield cannot sit in a try with a catch: the failure is noted here, around each step of the stream.
    private async ValueTask<bool> NextAsync(IAsyncEnumerator<ChatResponseUpdate> stream)
    {
        try
        {
            return await stream.MoveNextAsync().ConfigureAwait(false);
        }
        catch (ProviderException e)
        {
            activity.CallFailed(e);
            throw;
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
