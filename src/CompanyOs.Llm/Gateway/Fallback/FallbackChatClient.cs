using System.Runtime.CompilerServices;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Gateway.Stats;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Llm.Gateway.Fallback;

/// <summary>
/// When a provider fails with a retriable error after its retries (or its circuit is open, or its local rate limit refused),
/// moves the call along <c>fallback_provider</c> (a → b → c) with the model mapped by the target's <c>fallback_models</c>, else
/// its default model. Never after a stream has produced output, never to a provider already tried.
/// </summary>
internal sealed partial class FallbackChatClient(IChatClient innerClient, LlmOptions options, Routing.ModelRouter router, ILogger logger) : DelegatingChatClient(innerClient)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        if (call.Provider.FallbackProvider is null)
        {
            // No chain from this provider (fallback only ever moves along one): nothing this stage could do, so the inner
            // task is handed straight back, without an async state of this stage's own.
            return base.GetResponseAsync(messages, options, cancellationToken);
        }

        var answer = InnerCall.Start(InnerClient, messages, options, cancellationToken);

        // Answered at once: nothing to fall back from, and no async state of this stage's own.
        return answer.IsCompletedSuccessfully ? answer : FallBackAsync(call, answer, messages, options, cancellationToken);
    }

    private async Task<ChatResponse> FallBackAsync(
        GatewayCall call, Task<ChatResponse> answer, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await answer.ConfigureAwait(false);
            }
            catch (Exception ex) when (CanFallBack(ex, call, cancellationToken))
            {
                if (!TryMoveToNext(call, options!, ex))
                {
                    throw;
                }
            }

            answer = InnerCall.Start(InnerClient, messages, options, cancellationToken);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        IAsyncEnumerator<ChatResponseUpdate> stream;
        bool hasFirst;
        while (true)
        {
            stream = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                hasFirst = await stream.MoveNextAsync().ConfigureAwait(false);
                break;
            }
            catch (Exception ex)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                if (!CanFallBack(ex, call, cancellationToken) || !TryMoveToNext(call, options!, ex))
                {
                    throw;
                }
            }
        }

        try
        {
            if (!hasFirst)
            {
                yield break;
            }

            yield return stream.Current;
            while (await stream.MoveNextAsync().ConfigureAwait(false))
            {
                yield return stream.Current;
            }
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static bool CanFallBack(Exception exception, GatewayCall call, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && !call.OutputStarted
        && call.Provider.FallbackProvider is not null
        && exception is ProviderException { IsRetriable: true } or RateLimitedException;

    private bool TryMoveToNext(GatewayCall call, ChatOptions chatOptions, Exception error)
    {
        var from = call.Provider;
        var next = NextEnabled(from, call);
        if (next is null)
        {
            LogChainEnd(logger, from.Name, ErrorClass.Of(error));
            return false;
        }

        var model = MappedModel(next, call.PrimaryRoute.Model) ?? MappedModel(next, call.Model)
            ?? router.ResolveModel(next.DefaultModel);
        (call.FallbackPath ??= new List<string>(2)).Add(from.Name);
        LogFallback(logger, from.Name, call.Model, next.Name, model, ErrorClass.Of(error));
        call.Provider = next;
        call.Model = model;
        chatOptions.ModelId = model;
        return true;
    }

    /// <summary>The target's <c>fallback_models</c> entry for <paramref name="model"/>; keys and values may be aliases.</summary>
    private string? MappedModel(ProviderOptions target, string model)
    {
        foreach (var (from, to) in target.FallbackModels)
        {
            if (string.Equals(router.ResolveModel(from), model, StringComparison.Ordinal))
            {
                return router.ResolveModel(to);
            }
        }

        return null;
    }

    /// <summary>The next enabled provider along the chain that this call has not tried yet (disabled ones are skipped).</summary>
    private ProviderOptions? NextEnabled(ProviderOptions from, GatewayCall call)
    {
        var name = from.FallbackProvider;
        for (var hops = 0; name is not null && hops < options.Providers.Count; hops++)
        {
            if (name == from.Name || name == call.PrimaryRoute.Provider.Name || call.FallbackPath?.Contains(name, StringComparer.Ordinal) == true
                || !options.Providers.TryGetValue(name, out var candidate))
            {
                return null;
            }

            if (candidate.Enabled)
            {
                return candidate;
            }

            name = candidate.FallbackProvider;
        }

        return null;
    }

    [LoggerMessage(EventId = 4400, Level = LogLevel.Warning, Message = "Falling back from {From}/{FromModel} to {To}/{ToModel} after {Error}.")]
    private static partial void LogFallback(ILogger logger, string from, string fromModel, string to, string toModel, string error);

    [LoggerMessage(EventId = 4401, Level = LogLevel.Warning, Message = "Provider {Provider} failed with {Error} and its fallback chain has no untried enabled provider left.")]
    private static partial void LogChainEnd(ILogger logger, string provider, string error);
}
