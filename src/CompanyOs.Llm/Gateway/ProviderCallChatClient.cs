using System.Diagnostics;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Gateway.Telemetry;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway;

/// <summary>
/// The end of the pipeline: sends one attempt to the provider the call is currently routed to, under that provider's
/// per-attempt timeout (for a stream: until the first update and between updates). Records usage and the answering model.
/// A stream failing after its first update surfaces as <see cref="ProviderErrorKind.StreamInterrupted"/> — never as a short answer.
/// An attempt that fails after the provider answered 2xx was billed: its charge goes to <see cref="GatewayCall.AddBilled"/>
/// before a retry or fallback step replaces its usage.
/// </summary>
internal sealed class ProviderCallChatClient(FrozenDictionary<string, IChatClient> clients, TimeProvider time, Func<BudgetPolicy> charges) : IChatClient
{
    private readonly TimeoutSources _timeouts = new(time);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        if (call.Activity is not null)
        {
            return TracedAttemptAsync(call, messages, options, cancellationToken);
        }

        var client = BeginAttempt(call, options!, out _);
        var attempt = _timeouts.Start(call.Provider.Timeout);
        var link = TimeoutSources.CancelWith(attempt, cancellationToken);
        var answer = InnerCall.Start(client, messages, options, attempt.Token);
        if (!answer.IsCompletedSuccessfully)
        {
            return AwaitAttemptAsync(call, answer, attempt, link, null, call.TakeLease(), messages, options, cancellationToken);
        }

        // Answered at once (a provider in process, a cache in front of it): no async state needed for the attempt.
        link.Dispose();
        _timeouts.Return(attempt);
        Answered(call, answer.Result, null);
        return answer;
    }

    /// <summary>
    /// A traced attempt starts its span inside an async method, so that <see cref="Activity.Current"/> is restored for the
    /// caller when it returns instead of staying set to a span that ends later.
    /// </summary>
    private async Task<ChatResponse> TracedAttemptAsync(
        GatewayCall call, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var client = BeginAttempt(call, options!, out var span);
        var attempt = _timeouts.Start(call.Provider.Timeout);
        var link = TimeoutSources.CancelWith(attempt, cancellationToken);
        return await AwaitAttemptAsync(
                call, InnerCall.Start(client, messages, options, attempt.Token), attempt, link, span, call.TakeLease(), messages, options, cancellationToken)
            .ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        var client = BeginAttempt(call, options!, out var span);
        using var spanScope = span;
        var timeout = call.Provider.Timeout;
        using var attempt = new CancellationTokenSource(timeout, time);
        using var link = TimeoutSources.CancelWith(attempt, cancellationToken);
        var stream = client.GetStreamingResponseAsync(messages, options, attempt.Token).GetAsyncEnumerator(attempt.Token);
        await using var _ = stream.ConfigureAwait(false);
        ChatFinishReason? finishReason = null;
        while (true)
        {
            ChatResponseUpdate update;
            try
            {
                if (!await stream.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }

                update = stream.Current;
            }
            catch (ProviderException ex) when (ChargeIfBilled(call, ex, messages, options))
            {
                throw;
            }
            catch (Exception ex) when (Translate(ex, call, attempt, cancellationToken) is { } translated)
            {
                GatewayTelemetry.Failed(span, translated);
                throw translated;
            }
            catch (Exception ex) when (GatewayTelemetry.Failed(span, ex))
            {
                throw;
            }

            Observe(call, update);
            finishReason = update.FinishReason ?? finishReason;
            call.OutputStarted = true;
            yield return update;
            attempt.CancelAfter(timeout);
        }

        GatewayTelemetry.Succeeded(span, call, call.Usage, finishReason);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    private static void Answered(GatewayCall call, ChatResponse response, Activity? span)
    {
        call.Usage = response.Usage;
        call.AnsweredModel = response.ModelId;
        GatewayTelemetry.Succeeded(span, call, response.Usage, response.FinishReason);
    }

    /// <summary>Nothing to release: the provider clients belong to <see cref="GatewayServices"/>, which several pipelines may share.</summary>
    public void Dispose()
    {
    }

    /// <summary>
    /// Waits for the attempt's answer. <paramref name="lease"/>: the rate-limit permit handed over by the rate-limit stage above
    /// (<see cref="GatewayCall.TakeLease"/>), corrected with the answer's usage and released here, on every outcome.
    /// </summary>
    private async Task<ChatResponse> AwaitAttemptAsync(
        GatewayCall call, Task<ChatResponse> answer, CancellationTokenSource attempt, CancellationTokenRegistration link, Activity? span,
        (WindowRateLimiter Limiter, RateLimitLease Lease)? lease, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var answered = false;
        try
        {
            var response = await answer.ConfigureAwait(false);
            Answered(call, response, span);
            answered = true;
            return response;
        }
        catch (ProviderException ex) when (ChargeIfBilled(call, ex, messages, options) || GatewayTelemetry.Failed(span, ex))
        {
            throw;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && attempt.IsCancellationRequested)
        {
            var timeout = new ProviderException(call.Provider.Name, ProviderErrorKind.Timeout, null,
                $"Provider '{call.Provider.Name}' did not answer within its per-attempt timeout of {call.Provider.Timeout}.", null, ex);
            GatewayTelemetry.Failed(span, timeout);
            throw timeout;
        }
        catch (Exception ex) when (GatewayTelemetry.Failed(span, ex))
        {
            throw;
        }
        finally
        {
            // The link first: once it is gone, a late cancellation by the caller can no longer reach a source kept for reuse.
            await link.DisposeAsync().ConfigureAwait(false);
            _timeouts.Return(attempt);
            span?.Dispose();
            if (lease is var (limiter, permit))
            {
                // As the rate-limit stage does it, after the attempt: corrected when answered, released in any case.
                using (permit)
                {
                    if (answered)
                    {
                        RateLimitChatClient.Correct(limiter, permit, call);
                    }
                }
            }
        }
    }

    private IChatClient BeginAttempt(GatewayCall call, ChatOptions options, out Activity? span)
    {
        call.Attempts++;
        call.Usage = null;
        call.AnsweredModel = null;
        call.CostComputed = false;
        options.ModelId = call.Model;
        var client = clients.TryGetValue(call.Provider.Name, out var found)
            ? found
            : throw new InvalidOperationException($"No client was created for provider '{call.Provider.Name}'.");
        span = call.Activity is null ? null : GatewayTelemetry.StartAttempt(call, AttemptKind(call));
        call.PreviousAttempt = (call.Provider.Name, call.Model);
        return client;
    }

    private static string AttemptKind(GatewayCall call) => call.PreviousAttempt switch
    {
        null => "first",
        var (provider, model) when provider == call.Provider.Name && model == call.Model => "retry",
        _ => "fallback",
    };

    /// <summary>
    /// Always false, so that it can run as an exception filter. The provider answered 2xx (then the SDK failed on the answer)
    /// or reported usage: it billed the attempt, so charge it — its usage when known, else its maximum, marked estimated.
    /// Failures without an answer (4xx/5xx, connection, timeout) are not billed; a stream that broke after output is charged
    /// by the budget and accounting stages, as it ends the call.
    /// </summary>
    private bool ChargeIfBilled(GatewayCall call, ProviderException exception, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        if (call.OutputStarted || !(exception.StatusCode is >= 200 and < 300 || call.Usage is not null))
        {
            return false;
        }

        var (usage, cost) = charges().Billed(call, messages, options);
        call.AddBilled(usage, cost);
        call.Usage = null;
        call.CostComputed = false;
        return false;
    }

    private static void Observe(GatewayCall call, ChatResponseUpdate update)
    {
        call.AnsweredModel ??= update.ModelId;
        // By index: a foreach over the IList would box its enumerator, once per update.
        var contents = update.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is UsageContent usage)
            {
                call.AddUsage(usage.Details);
            }
        }
    }

    private static ProviderException? Translate(Exception exception, GatewayCall call, CancellationTokenSource attempt, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        var provider = call.Provider.Name;
        var timedOut = exception is OperationCanceledException && attempt.IsCancellationRequested;
        if (!call.OutputStarted)
        {
            return timedOut
                ? new ProviderException(provider, ProviderErrorKind.Timeout, null,
                    $"Provider '{provider}' sent no stream update within its per-attempt timeout of {call.Provider.Timeout}.", null, exception)
                : null;
        }

        if (exception is ProviderException { Kind: ProviderErrorKind.StreamInterrupted })
        {
            return null;
        }

        var reason = timedOut ? $"stalled for longer than {call.Provider.Timeout}" : exception.Message;
        return new ProviderException(provider, ProviderErrorKind.StreamInterrupted, (exception as ProviderException)?.StatusCode,
            $"The stream from provider '{provider}' broke after output had started ({reason}); the answer is incomplete.", null, exception);
    }
}
