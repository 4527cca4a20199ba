using System.Runtime.CompilerServices;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway.RateLimiting;
using Microsoft.Extensions.AI;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace CompanyOs.Llm.Gateway.Resilience;

/// <summary>
/// Runs each call through its provider's Polly pipeline (deadline, retry, circuit breaker). A stream is retried only while
/// opening it and waiting for its first update; after that it is never replayed. Polly's rejections are translated into
/// <see cref="ProviderException"/> here, at the boundary — except a deadline that fires while the call waits for a
/// rate-limit permit, which is the <see cref="RateLimitedException"/> it would have become at <c>max_wait</c>.
/// </summary>
internal sealed class ResilienceChatClient(IChatClient innerClient, ResiliencePipelines pipelines, TimeSpan totalDeadline) : DelegatingChatClient(innerClient)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ResiliencePipelines.CallKey, call);

        // ExecuteOutcomeAsync with an Outcome<object> callback: the strategies of a non-generic pipeline are typed over object, so
        // Polly hands this callback to them as is. ExecuteAsync<ChatResponse> would wrap it in an async adapter per strategy (plus
        // one of its own), each an allocated state machine per call once the attempt goes asynchronous.
        var running = pipelines.For(call.Provider).ExecuteOutcomeAsync(
            static (ctx, state) => Attempt(state.Self, state.Messages, state.Options, state.Call, ctx.CancellationToken),
            context,
            (Self: this, Messages: messages, Options: options, Call: call));
        if (!running.IsCompletedSuccessfully)
        {
            return AwaitAsync(running, context, call);
        }

        // Answered at once (an attempt that completed synchronously): the attempt's own task is handed back, without an async
        // state of this stage's own.
        ResilienceContextPool.Shared.Return(context);
        var outcome = running.Result;
        var attempt = call.LastAttempt;
        call.LastAttempt = null;
        if (outcome.Exception is { } exception)
        {
            return Task.FromException<ChatResponse>(exception is ExecutionRejectedException rejected && Translate(rejected, call) is { } translated
                ? translated
                : exception);
        }

        var response = (ChatResponse)outcome.Result!;
        return attempt is { IsCompletedSuccessfully: true } && ReferenceEquals(attempt.Result, response) ? attempt : Task.FromResult(response);
    }

    /// <summary>One attempt, as the outcome Polly's strategies handle: a failure is an outcome, never a thrown exception.</summary>
    private static ValueTask<Outcome<object>> Attempt(
        ResilienceChatClient self, IEnumerable<ChatMessage> messages, ChatOptions? options, GatewayCall call, CancellationToken cancellationToken)
    {
        Task<ChatResponse> attempt;
        try
        {
            attempt = self.InnerClient.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (Exception ex)
        {
            return new ValueTask<Outcome<object>>(Outcome.FromException<object>(ex));
        }

        call.LastAttempt = attempt;
        return attempt.IsCompletedSuccessfully
            ? new ValueTask<Outcome<object>>(Outcome.FromResult<object>(attempt.Result))
            : AwaitAttemptAsync(attempt);
    }

    private static async ValueTask<Outcome<object>> AwaitAttemptAsync(Task<ChatResponse> attempt)
    {
        try
        {
            return Outcome.FromResult<object>(await attempt.ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            return Outcome.FromException<object>(ex);
        }
    }

    private async Task<ChatResponse> AwaitAsync(ValueTask<Outcome<object>> running, ResilienceContext context, GatewayCall call)
    {
        try
        {
            var outcome = await running.ConfigureAwait(false);
            if (outcome.Exception is ExecutionRejectedException rejected && Translate(rejected, call) is { } translated)
            {
                throw translated;
            }

            outcome.ThrowIfException();
            return (ChatResponse)outcome.Result!;
        }
        finally
        {
            call.LastAttempt = null;
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ResiliencePipelines.CallKey, call);
        OpenedStream stream;
        try
        {
            stream = await pipelines.For(call.Provider).ExecuteAsync(
                static (ctx, state) => state.Self.OpenAsync(state.Messages, state.Options, state.Token, ctx.CancellationToken),
                context,
                (Self: this, Messages: messages, Options: options, Token: cancellationToken)).ConfigureAwait(false);
        }
        catch (ExecutionRejectedException ex) when (Translate(ex, call) is { } translated)
        {
            throw translated;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        try
        {
            if (!stream.HasFirst)
            {
                yield break;
            }

            yield return stream.Enumerator.Current;
            while (await stream.Enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                yield return stream.Enumerator.Current;
            }
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One attempt at a stream: open it and wait for its first update, cancellable by the deadline only until then.</summary>
    private async ValueTask<OpenedStream> OpenAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken callerToken, CancellationToken attemptToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        var registration = attemptToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), source);
        var enumerator = InnerClient.GetStreamingResponseAsync(messages, options, source.Token).GetAsyncEnumerator(source.Token);
        try
        {
            var hasFirst = await enumerator.MoveNextAsync().ConfigureAwait(false);
            return new OpenedStream(enumerator, hasFirst, source);
        }
        catch
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            source.Dispose();
            throw;
        }
        finally
        {
            await registration.DisposeAsync().ConfigureAwait(false);
        }
    }

    private LlmException? Translate(ExecutionRejectedException exception, GatewayCall call) => exception switch
    {
        TimeoutRejectedException timeout when call.WaitingForPermit => new RateLimitedException(call.Provider.Name,
            $"Waited for a rate-limit permit of provider '{call.Provider.Name}' until the total deadline of {totalDeadline} passed.", null, timeout),
        BrokenCircuitException broken => new ProviderException(call.Provider.Name, ProviderErrorKind.CircuitOpen, null,
            $"The circuit breaker of provider '{call.Provider.Name}' is open after sustained failures; the call was not sent.", broken.RetryAfter, broken),
        TimeoutRejectedException timeout => new ProviderException(call.Provider.Name, ProviderErrorKind.Timeout, null,
            $"Provider '{call.Provider.Name}' did not answer within the total deadline of {totalDeadline} (all attempts and waits).", null, timeout),
        _ => null,
    };

    private sealed record OpenedStream(IAsyncEnumerator<ChatResponseUpdate> Enumerator, bool HasFirst, CancellationTokenSource Source) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Enumerator.DisposeAsync().ConfigureAwait(false);
            Source.Dispose();
        }
    }
}
