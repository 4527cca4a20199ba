using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Gateway.Telemetry;
using CompanyOs.Llm.PassThrough;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway.Stats;

/// <summary>
/// Finishes every call: computes its cost, attaches <see cref="LlmCallInfo"/> (to the response, or to the trailing update of
/// a stream — usage or finish reason, held until the next update — while content is forwarded at once) and records the
/// call in <see cref="GatewayStats"/>, success or failure. Cost and usage include the attempts that failed after the
/// provider had billed them (<see cref="GatewayCall.BilledUsage"/>). A failed call's exception carries what it was charged
/// when that is not nothing (an interrupted stream, billed failed attempts).
/// </summary>
internal sealed class CallAccountingChatClient(IChatClient innerClient, GatewayServices services) : DelegatingChatClient(innerClient)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        if (GatewayTelemetry.Source.HasListeners())
        {
            return TracedAsync(call, messages, options, cancellationToken);
        }

        var answer = InnerCall.Start(InnerClient, messages, options, cancellationToken);
        if (!answer.IsCompletedSuccessfully)
        {
            return FinishAsync(call, answer);
        }

        // Answered at once: accounted here, without an async state of this stage's own.
        Finish(call, answer.Result);
        return answer;
    }

    /// <summary>
    /// The call's span is started inside an async method: <see cref="Activity.Current"/> is then restored for the caller when it
    /// returns, instead of staying set to a span that ends later.
    /// </summary>
    private async Task<ChatResponse> TracedAsync(GatewayCall call, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        using var span = call.Activity = GatewayTelemetry.StartCall(call, messages, services.RecordContents);
        return await FinishAsync(call, InnerCall.Start(InnerClient, messages, options, cancellationToken)).ConfigureAwait(false);
    }

    private async Task<ChatResponse> FinishAsync(GatewayCall call, Task<ChatResponse> answer)
    {
        ChatResponse response;
        try
        {
            response = await answer.ConfigureAwait(false);
        }
        catch (Exception ex) when (RecordFailure(call, ex))
        {
            throw;
        }

        Finish(call, response);
        return response;
    }

    private void Finish(GatewayCall call, ChatResponse response)
    {
        var info = RecordSuccess(call, response.FinishReason);
        if (response.RawRepresentation is PassThroughResponse raw)
        {
            // A passed-through answer carries it on its raw body: no property dictionary made for it on every call.
            raw.CallInfo = info;
        }
        else
        {
            (response.AdditionalProperties ??= [])[LlmCallInfo.PropertyKey] = info;
        }

        if (call.Activity is not null && services.RecordContents)
        {
            GatewayTelemetry.RecordOutput(call.Activity, response.Messages, response.FinishReason);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        using var span = call.Activity = GatewayTelemetry.StartCall(call, messages, services.RecordContents);
        // The answer is kept for the span only when contents are recorded and the span is.
        var answer = span is { IsAllDataRequested: true } && services.RecordContents ? new List<ChatResponseUpdate>() : null;
        ChatFinishReason? finishReason = null;
        var ended = false;
        var routed = false;
        ChatResponseUpdate? held = null;
        ExceptionDispatchInfo? failure = null;
        var stream = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await stream.MoveNextAsync().ConfigureAwait(false))
                    {
                        ended = true;
                        break;
                    }
                }
                catch (Exception ex)
                {
                    ended = true;
                    RecordFailure(call, ex, InterruptedCharge(call, messages, options, ex));
                    failure = ExceptionDispatchInfo.Capture(ex);
                    break;
                }

                // Content is forwarded the moment it arrives. Only a trailing update (usage, finish reason: no content a
                // reader waits for) is held until the next one, so that the call's info rides on the provider's last update.
                var current = stream.Current;
                finishReason = current.FinishReason ?? finishReason;
                answer?.Add(current);
                if (held is not null)
                {
                    yield return held;
                    held = null;
                }

                if (!routed)
                {
                    // After the first update nothing retries or falls back: the route is final, and a server can say so at once.
                    // On a copy: the cache below keeps the provider's update objects and stores them as the answer.
                    routed = true;
                    current = WithRoute(current, call);
                }

                if (IsTrailer(current))
                {
                    held = current;
                }
                else
                {
                    yield return current;
                }
            }
        }
        finally
        {
            if (!ended)
            {
                // The caller stopped reading before the end: count the call as cancelled, charged like an interrupted stream.
                var stopped = new OperationCanceledException("The caller stopped reading the stream.");
                RecordFailure(call, stopped, InterruptedCharge(call, messages, options, stopped));
            }

            await stream.DisposeAsync().ConfigureAwait(false);
        }

        if (failure is not null)
        {
            if (held is not null)
            {
                yield return held;
            }

            failure.Throw();
        }

        var info = RecordSuccess(call, finishReason);
        if (answer is not null)
        {
            GatewayTelemetry.RecordOutput(span, answer.ToChatResponse().Messages, finishReason);
        }

        if (!routed && held is not null)
        {
            (held.AdditionalProperties ??= [])[LlmCallRoute.PropertyKey] = Route(call);
        }

        // A stream that did not end on a trailing update (every provider sends one: usage or the finish reason) gets an
        // update of its own for the info.
        var last = held ?? new ChatResponseUpdate { ModelId = info.Model };
        (last.AdditionalProperties ??= [])[LlmCallInfo.PropertyKey] = info;
        yield return last;
    }

    /// <summary>An update without content a reader waits for: only usage, or nothing but a finish reason or ids.</summary>
    private static bool IsTrailer(ChatResponseUpdate update)
    {
        // By index: a foreach over the IList would box its enumerator, once per update.
        var contents = update.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is not UsageContent)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A stream that broke, or that its caller abandoned, after output had started was billed for an unknown part: it is
    /// charged what budgets settle it with (<see cref="Budgets.BudgetPolicy.Interrupted"/>), in the stats too, and an
    /// interrupted stream's exception tells the caller, so that it can account for the attempt before asking again.
    /// </summary>
    private LlmCallInfo? InterruptedCharge(GatewayCall call, IEnumerable<ChatMessage> messages, ChatOptions? options, Exception exception)
    {
        // Budgets settle any stream that failed after output began (broken, cancelled, abandoned) at this maximum.
        if (!call.OutputStarted || call.CacheHit)
        {
            return null;
        }

        var (usage, cost) = services.Budgets.Interrupted(call, messages, options);
        var info = Info(call, call.TotalCost(cost), call.TotalUsage(usage), services.Time.GetElapsedTime(call.StartTimestamp));
        if (exception is ProviderException)
        {
            exception.Data[LlmCallInfo.PropertyKey] = info;
        }

        return info;
    }

    private static ChatResponseUpdate WithRoute(ChatResponseUpdate update, GatewayCall call)
    {
        var copy = update.Clone();
        copy.AdditionalProperties = update.AdditionalProperties is { } properties ? new(properties) : [];
        copy.AdditionalProperties[LlmCallRoute.PropertyKey] = Route(call);
        return copy;
    }

    private static LlmCallRoute Route(GatewayCall call) => new()
    {
        Provider = call.Provider.Name,
        Model = call.AnsweredModel ?? call.Model,
        CacheHit = call.CacheHit,
        FallbackPath = call.FallbackPath ?? (IReadOnlyList<string>)[],
    };

    private LlmCallInfo RecordSuccess(GatewayCall call, ChatFinishReason? finishReason)
    {
        var cost = call.TotalCost(services.CostOf(call));
        var latency = services.Time.GetElapsedTime(call.StartTimestamp);
        var usage = call.CacheHit ? null : call.TotalUsage(call.Usage);
        services.Stats.Record(call, new CallOutcome
        {
            Retries = call.Retries,
            FellBack = call.FallbackPath is not null,
            CacheHit = call.CacheHit,
            InputTokens = usage?.InputTokenCount ?? 0,
            OutputTokens = usage?.OutputTokenCount ?? 0,
            CacheReadTokens = usage?.CachedInputTokenCount ?? 0,
            CacheWriteTokens = usage?.AdditionalCounts is { } counts && counts.TryGetValue(UsageKeys.CacheWriteInputTokens, out var w) ? w : 0,
            CostUsd = cost,
            Duration = latency,
        });
        var info = Info(call, cost, usage, latency);
        services.CallRecorder?.Record(call.Context, info);
        GatewayTelemetry.Succeeded(call.Activity, call, usage, finishReason);
        if (call.CacheHit)
        {
            call.Activity?.SetTag(GatewayTelemetry.CacheHitTag, true);
        }

        return info;
    }

    private static LlmCallInfo Info(GatewayCall call, decimal? cost, UsageDetails? usage, TimeSpan latency) => new()
    {
        Provider = call.Provider.Name,
        Model = call.AnsweredModel ?? call.Model,
        CostUsd = cost,
        CacheHit = call.CacheHit,
        Attempts = call.Attempts,
        FallbackPath = call.FallbackPath ?? (IReadOnlyList<string>)[],
        Latency = latency,
        Usage = usage,
    };

    /// <summary>
    /// Always false, so that it can run as an exception filter without catching. <paramref name="interrupted"/>: what a stream
    /// cut after output started is charged (see <see cref="InterruptedCharge"/>), recorded instead of the billed attempts alone.
    /// </summary>
    private bool RecordFailure(GatewayCall call, Exception exception, LlmCallInfo? interrupted = null)
    {
        GatewayTelemetry.Failed(call.Activity, exception);
        var billed = call.BilledUsage;
        var duration = services.Time.GetElapsedTime(call.StartTimestamp);
        var charged = interrupted?.Usage ?? billed;
        services.Stats.Record(call, new CallOutcome
        {
            ErrorClass = ErrorClass.Of(exception),
            RefusedBy = (exception as BudgetExceededException)?.Scope.Kind,
            Retries = call.Retries,
            FellBack = call.FallbackPath is not null,
            InputTokens = charged?.InputTokenCount ?? 0,
            OutputTokens = charged?.OutputTokenCount ?? 0,
            CostUsd = interrupted is not null ? interrupted.CostUsd : billed is null ? null : call.TotalCost(0m),
            Duration = duration,
        });
        if (interrupted is not null)
        {
            // The whole charge of a stream cut after output began, the billed failed attempts included: recorded once.
            services.CallRecorder?.Record(call.Context, interrupted);
        }
        else if (billed is not null)
        {
            // The provider billed attempts of a call that failed: tell the caller, so that it can account for them.
            var info = Info(call, call.TotalCost(0m), call.TotalUsage(null), duration);
            if (LlmCallInfo.From(exception) is null)
            {
                exception.Data[LlmCallInfo.PropertyKey] = info;
            }

            services.CallRecorder?.Record(call.Context, info);
        }

        return false;
    }
}
