using System.Runtime.CompilerServices;
using CompanyOs.Llm.Calls;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway.Stats;

/// <summary>
/// Finishes every call: computes its cost, attaches <see cref="LlmCallInfo"/> (to the response, or to one extra, content-free
/// update at the end of a stream) and records the call in <see cref="GatewayStats"/>, success or failure.
/// </summary>
internal sealed class CallAccountingChatClient(IChatClient innerClient, GatewayServices services) : DelegatingChatClient(innerClient)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RecordFailure(call, ex))
        {
            throw;
        }

        var info = RecordSuccess(call);
        (response.AdditionalProperties ??= [])[LlmCallInfo.PropertyKey] = info;
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = GatewayCall.Get(options);
        var ended = false;
        string? responseId = null;
        var stream = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await stream.MoveNextAsync().ConfigureAwait(false))
                    {
                        ended = true;
                        break;
                    }

                    update = stream.Current;
                }
                catch (Exception ex)
                {
                    ended = true;
                    RecordFailure(call, ex);
                    throw;
                }

                responseId ??= update.ResponseId;
                yield return update;
            }
        }
        finally
        {
            if (!ended)
            {
                // The caller stopped reading before the end: count the call as cancelled.
                RecordFailure(call, new OperationCanceledException("The caller stopped reading the stream."));
            }

            await stream.DisposeAsync().ConfigureAwait(false);
        }

        var info = RecordSuccess(call);
        yield return new ChatResponseUpdate
        {
            ResponseId = responseId,
            ModelId = info.Model,
            AdditionalProperties = new() { [LlmCallInfo.PropertyKey] = info },
        };
    }

    private LlmCallInfo RecordSuccess(GatewayCall call)
    {
        var cost = services.CostOf(call);
        var latency = services.Time.GetElapsedTime(call.StartTimestamp);
        var usage = call.CacheHit ? null : call.Usage;
        services.Stats.Record(Key(call), new CallOutcome
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
        return new LlmCallInfo
        {
            Provider = call.Provider.Name,
            Model = call.AnsweredModel ?? call.Model,
            CostUsd = cost,
            CacheHit = call.CacheHit,
            Attempts = call.Attempts,
            FallbackPath = call.FallbackPath ?? (IReadOnlyList<string>)[],
            Latency = latency,
        };
    }

    /// <summary>Always false, so that it can run as an exception filter without catching.</summary>
    private bool RecordFailure(GatewayCall call, Exception exception)
    {
        services.Stats.Record(Key(call), new CallOutcome
        {
            ErrorClass = ErrorClass.Of(exception),
            Retries = call.Retries,
            FellBack = call.FallbackPath is not null,
            Duration = services.Time.GetElapsedTime(call.StartTimestamp),
        });
        return false;
    }

    private static StatsKey Key(GatewayCall call) => new(call.Provider.Name, call.Model, call.Context?.OrgId, call.Context?.AgentType);
}
