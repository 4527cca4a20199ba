using System.Runtime.CompilerServices;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway.RateLimiting;
using Microsoft.Extensions.AI;
using Polly;
using Polly.CircuitBreaker;

namespace CompanyOs.Llm.Gateway.Resilience;

/// <summary>
/// Runs each call through its provider's Polly pipeline (retry, circuit breaker) under the provider's total deadline. A stream
/// is retried only while opening it and waiting for its first update; after that it is never replayed. Polly's rejections
/// are translated into <see cref="ProviderException"/> here, at the boundary, and so is the deadline — except a deadline
/// that passes while the call waits for a rate-limit permit, which is the <see cref="RateLimitedException"/> it would have
/// become at <c>max_wait</c>.
/// </summary>
/// <remarks>
/// The deadline is a pooled cancellation source of this stage, handed to the pipeline as its context's token, rather than a
/// Polly timeout strategy in front of the retry: the same cancellation of the attempt, the backoff and the permit wait, the
/// same translation (Polly's timeout strategy does exactly this), without a third strategy's async state allocated on every
/// call that goes asynchronous.
/// </remarks>
internal sealed class ResilienceChatClient(IChatClient innerClient, ResiliencePipelines pipelines, TimeSpan totalDeadline, TimeProvider time)
    : DelegatingChatClient(innerClient)
{
    private readonly TimeoutSources _deadlines = new(time);

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        var deadline = _deadlines.Start(totalDeadline);
        var link = TimeoutSources.CancelWith(deadline, cancellationToken);
        var pipeline = pipelines.For(call.Provider, out var closed);
        if (!closed)
        {
            // Open or half-open: the breaker decides whether the call is sent at all, so the pipeline runs from the start.
            return Run(pipeline, null, call, deadline, link, messages, options, cancellationToken);
        }

        // The circuit is closed, so the breaker would let the first attempt through: it is sent before the pipeline runs, and
        // the pipeline runs once it has completed, taking its outcome as its first attempt's (the breaker counts it, the retry
        // decides on it as always). An answer that took a while is awaited here, in one async state, instead of in one per
        // Polly strategy plus this stage's own; the strategies' states are only made for a retry.
        var first = InnerCall.Start(InnerClient, messages, options, deadline.Token);
        return first.IsCompleted
            ? Run(pipeline, first, call, deadline, link, messages, options, cancellationToken)
            : RunAfterFirstAsync(first, pipeline, call, deadline, link, messages, options, call.TakeSettlement(), cancellationToken);
    }

    /// <summary>
    /// Waits for the first attempt, then runs the pipeline. With <paramref name="settles"/>, this state also settles the
    /// budget stage's reservation, handed over on the call (<see cref="GatewayCall.TakeSettlement"/>), once the call's
    /// attempts have ended — on every outcome — so that the budget stage needs no async state of its own to wait in.
    /// </summary>
    private async Task<ChatResponse> RunAfterFirstAsync(
        Task<ChatResponse> first, ResiliencePipeline pipeline, GatewayCall call, CancellationTokenSource deadline, CancellationTokenRegistration link,
        IEnumerable<ChatMessage> messages, ChatOptions? options, bool settles, CancellationToken cancellationToken)
    {
        // Its failure is an outcome for the pipeline, not thrown here.
        await ((Task)first).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!settles)
        {
            return await Run(pipeline, first, call, deadline, link, messages, options, cancellationToken).ConfigureAwait(false);
        }

        ChatResponse response;
        try
        {
            response = await Run(pipeline, first, call, deadline, link, messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await call.SettleTakenAsync(answered: false).ConfigureAwait(false);
            throw;
        }

        await call.SettleTakenAsync(answered: true).ConfigureAwait(false);
        return response;
    }

    /// <summary>
    /// Runs the provider's pipeline; its first attempt takes <paramref name="first"/>'s outcome when given (completed). Hands
    /// back the answer's own task when the pipeline completes at once, without an async state of this stage's own.
    /// </summary>
    private Task<ChatResponse> Run(
        ResiliencePipeline pipeline, Task<ChatResponse>? first, GatewayCall call, CancellationTokenSource deadline, CancellationTokenRegistration link,
        IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        // Until the pipeline's first attempt takes it, the attempt sent ahead is the call's last attempt (no field of its own).
        call.LastAttempt = first;
        Outcome<object> result;
        if (deadline.IsCancellationRequested)
        {
            // The caller went away (or the deadline passed) while the first attempt was out. The pipeline would refuse to start
            // with this same exception, but with a stack trace Polly formats with file and line information: the PDBs read on
            // every client that disconnects mid-call, and System.Reflection.Metadata's readers resident from then on.
            result = Outcome.FromException<object>(new OperationCanceledException(deadline.Token));
        }
        else
        {
            var context = ResilienceContextPool.Shared.Get(deadline.Token);
            context.Properties.Set(ResiliencePipelines.CallKey, call);

            // ExecuteOutcomeAsync with an Outcome<object> callback: the strategies of a non-generic pipeline are typed over object,
            // so Polly hands this callback to them as is. ExecuteAsync<ChatResponse> would wrap it in an async adapter per strategy
            // (plus one of its own), each an allocated state machine per call once the attempt goes asynchronous.
            var running = pipeline.ExecuteOutcomeAsync(
                static (ctx, state) => Attempt(state.Self, state.Messages, state.Options, state.Call, state.First, ctx.CancellationToken),
                context,
                (Self: this, Messages: messages, Options: options, Call: call, First: first));
            if (!running.IsCompletedSuccessfully)
            {
                return AwaitAsync(running, context, call, first, deadline, link, cancellationToken);
            }

            ResilienceContextPool.Shared.Return(context);
            result = running.Result;
        }

        // Completed at once (an attempt that completed before or during the run): the attempt's own task is handed back, without
        // an async state of this stage's own.
        link.Dispose();
        var deadlinePassed = deadline.IsCancellationRequested;
        _deadlines.Return(deadline);
        var outcome = Finished(result, call, first, out var attempt);
        if (outcome.Exception is { } exception)
        {
            return Task.FromException<ChatResponse>(Translate(exception, call, deadlinePassed, cancellationToken) ?? exception);
        }

        var response = (ChatResponse)outcome.Result!;
        return attempt is { IsCompletedSuccessfully: true } && ReferenceEquals(attempt.Result, response) ? attempt : Task.FromResult(response);
    }

    /// <summary>
    /// The call's outcome once the pipeline completed: its own, unless it did not take the first attempt that was sent ahead of
    /// it — its breaker opened after the attempt was sent (other calls failed meanwhile), or the total deadline passed as it
    /// completed. That attempt went through a closed circuit, as it would have inside the pipeline, so its answer is the
    /// call's; a failure the retry would have retried ends as the pipeline's refusal of that retry (the open circuit, the
    /// deadline); any other failure as itself. Clears the call's last attempt; <paramref name="attempt"/>: the task holding the
    /// answer when there is one.
    /// </summary>
    private Outcome<object> Finished(Outcome<object> outcome, GatewayCall call, Task<ChatResponse>? first, out Task<ChatResponse>? attempt)
    {
        var last = call.LastAttempt;
        call.LastAttempt = null;
        if (first is null || !ReferenceEquals(last, first))
        {
            // Taken: the first attempt's own task when its answer is the outcome (the attempt that took it cleared the field).
            attempt = last ?? first;
            return outcome;
        }

        attempt = first;
        var taken = OutcomeOf(first);
        return taken.Exception is { } error && pipelines.WouldRetry(call.Provider, error) ? outcome : taken;
    }

    /// <summary>A completed attempt's outcome: its answer, or the exception awaiting it throws (the original one).</summary>
    private static Outcome<object> OutcomeOf(Task<ChatResponse> completed)
    {
        try
        {
            return Outcome.FromResult<object>(completed.GetAwaiter().GetResult());
        }
        catch (Exception ex)
        {
            return Outcome.FromException<object>(ex);
        }
    }

    /// <summary>One attempt, as the outcome Polly's strategies handle: a failure is an outcome, never a thrown exception.</summary>
    private static ValueTask<Outcome<object>> Attempt(
        ResilienceChatClient self, IEnumerable<ChatMessage> messages, ChatOptions? options, GatewayCall call, Task<ChatResponse>? first,
        CancellationToken cancellationToken)
    {
        if (first is not null && ReferenceEquals(call.LastAttempt, first))
        {
            // Sent before the pipeline ran (under the same deadline token), and completed: its outcome is this attempt's. The
            // field is cleared, so that a retry sends a new attempt.
            call.LastAttempt = null;
            return new ValueTask<Outcome<object>>(OutcomeOf(first));
        }

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

    /// <summary>Pooled: Polly awaits the value task once, so its state can be reused by the next attempt that waits.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
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

    private async Task<ChatResponse> AwaitAsync(
        ValueTask<Outcome<object>> running, ResilienceContext context, GatewayCall call, Task<ChatResponse>? first, CancellationTokenSource deadline,
        CancellationTokenRegistration link, CancellationToken cancellationToken)
    {
        Outcome<object> outcome;
        bool deadlinePassed;
        try
        {
            outcome = await running.ConfigureAwait(false);
        }
        catch
        {
            call.LastAttempt = null;
            throw;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);

            // The link first: once it is gone, a late cancellation by the caller can no longer reach a source kept for reuse.
            await link.DisposeAsync().ConfigureAwait(false);
            deadlinePassed = deadline.IsCancellationRequested;
            _deadlines.Return(deadline);
        }

        outcome = Finished(outcome, call, first, out _);
        if (outcome.Exception is { } exception && Translate(exception, call, deadlinePassed, cancellationToken) is { } translated)
        {
            throw translated;
        }

        outcome.ThrowIfException();
        return (ChatResponse)outcome.Result!;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        var deadline = _deadlines.Start(totalDeadline);
        var link = TimeoutSources.CancelWith(deadline, cancellationToken);
        var context = ResilienceContextPool.Shared.Get(deadline.Token);
        context.Properties.Set(ResiliencePipelines.CallKey, call);
        OpenedStream stream;
        try
        {
            if (deadline.IsCancellationRequested)
            {
                // The caller went away before the stream was opened (while a stage in front waited, a budget reservation in
                // Redis, say). The pipeline would refuse to start with this same exception, but with a stack trace Polly formats
                // with file and line information (as in Run).
                throw new OperationCanceledException(deadline.Token);
            }

            // The deadline holds only until the stream is open: OpenAsync unlinks it from the stream once the first update is in.
            stream = await pipelines.For(call.Provider).ExecuteAsync(
                static (ctx, state) => state.Self.OpenAsync(state.Messages, state.Options, state.Token, ctx.CancellationToken),
                context,
                (Self: this, Messages: messages, Options: options, Token: cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, call, deadline.IsCancellationRequested, cancellationToken) is { } translated)
        {
            throw translated;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
            await link.DisposeAsync().ConfigureAwait(false);
            _deadlines.Return(deadline);
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
        var registration = TimeoutSources.CancelWith(source, attemptToken);
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

    /// <summary>
    /// The gateway's error for a failed call: the deadline when it passed (and not the caller's cancellation) and the call ended
    /// cancelled by it — as a rate limit while it waited for a permit — and an open circuit; null: the failure as it is.
    /// </summary>
    private LlmException? Translate(Exception exception, GatewayCall call, bool deadlinePassed, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException cancelled when deadlinePassed && !cancellationToken.IsCancellationRequested && call.WaitingForPermit =>
            new RateLimitedException(call.Provider.Name,
                $"Waited for a rate-limit permit of provider '{call.Provider.Name}' until the total deadline of {totalDeadline} passed.", null, cancelled),
        OperationCanceledException cancelled when deadlinePassed && !cancellationToken.IsCancellationRequested => new ProviderException(call.Provider.Name,
            ProviderErrorKind.Timeout, null,
            $"Provider '{call.Provider.Name}' did not answer within the total deadline of {totalDeadline} (all attempts and waits).", null, cancelled),
        BrokenCircuitException broken => new ProviderException(call.Provider.Name, ProviderErrorKind.CircuitOpen, null,
            $"The circuit breaker of provider '{call.Provider.Name}' is open after sustained failures; the call was not sent.", broken.RetryAfter, broken),
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
