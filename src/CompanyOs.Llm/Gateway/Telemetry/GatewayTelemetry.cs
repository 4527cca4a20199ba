using System.Diagnostics;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Stats;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway.Telemetry;

/// <summary>
/// The gateway's traces, named after the OpenTelemetry GenAI semantic conventions: a <c>chat {model}</c> span per gateway
/// call (internal) with one child <c>chat {model}</c> span per upstream attempt (client), so retries, fallback steps and
/// cache hits are visible. Message contents only when opted in (<c>gen_ai.input.messages</c>, <c>gen_ai.output.messages</c> on
/// the call span; see <see cref="GatewayBuilder.WithContentRecording"/>); keys never. When nothing listens to <see cref="SourceName"/>,
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and no tag is built.
/// </summary>
public static class GatewayTelemetry
{
    /// <summary>The <see cref="ActivitySource"/> name to subscribe to (e.g. <c>AddSource("CompanyOs.Llm")</c>).</summary>
    public const string SourceName = "CompanyOs.Llm";

    /// <summary>Why an attempt span exists: <c>first</c>, <c>retry</c> (same provider and model) or <c>fallback</c>.</summary>
    public const string AttemptKindTag = "companyos.attempt.kind";

    /// <summary>True on a gateway call answered from the response cache (it has no attempt spans).</summary>
    public const string CacheHitTag = "companyos.cache.hit";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts the span of one gateway call; null when nobody listens. <paramref name="messages"/> are recorded only when <paramref name="recordContents"/>.</summary>
    internal static Activity? StartCall(GatewayCall call, IEnumerable<ChatMessage> messages, bool recordContents)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity($"chat {call.Model}", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.operation.name", "chat");
            activity.SetTag("gen_ai.provider.name", ProviderName(call.Provider.Kind));
            activity.SetTag("gen_ai.request.model", call.Model);
            activity.SetTag("companyos.provider", call.Provider.Name);
            if (call.Context?.OrgId is { } org)
            {
                activity.SetTag("companyos.org", org);
            }

            if (recordContents)
            {
                activity.SetTag("gen_ai.input.messages", GenAiMessages.Serialize(messages));
            }
        }

        return activity;
    }

    /// <summary>The answer's messages on the call span (<c>gen_ai.output.messages</c>), when contents are opted in.</summary>
    internal static void RecordOutput(Activity? activity, IEnumerable<ChatMessage> messages, ChatFinishReason? finishReason)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.output.messages", GenAiMessages.Serialize(messages, finishReason?.Value));
        }
    }

    /// <summary>Starts the span of one upstream attempt under the call's span; null when nobody listens.</summary>
    internal static Activity? StartAttempt(GatewayCall call, string kind)
    {
        if (call.Activity is not { } parent)
        {
            return null;
        }

        var activity = Source.StartActivity($"chat {call.Model}", ActivityKind.Client, parent.Context);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.operation.name", "chat");
            activity.SetTag("gen_ai.provider.name", ProviderName(call.Provider.Kind));
            activity.SetTag("gen_ai.request.model", call.Model);
            activity.SetTag("companyos.provider", call.Provider.Name);
            activity.SetTag("companyos.attempt.number", call.Attempts);
            activity.SetTag(AttemptKindTag, kind);
        }

        return activity;
    }

    /// <summary>
    /// The answer's facts on a call or attempt span. After a fallback the call span names the provider that answered, while
    /// <c>gen_ai.request.model</c> keeps the model asked for.
    /// </summary>
    internal static void Succeeded(Activity? activity, GatewayCall call, UsageDetails? usage, ChatFinishReason? finishReason)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetTag("gen_ai.provider.name", ProviderName(call.Provider.Kind));
        activity.SetTag("companyos.provider", call.Provider.Name);
        activity.SetTag("gen_ai.response.model", call.AnsweredModel ?? call.Model);
        if (usage?.InputTokenCount is { } input)
        {
            activity.SetTag("gen_ai.usage.input_tokens", input);
        }

        if (usage?.OutputTokenCount is { } output)
        {
            activity.SetTag("gen_ai.usage.output_tokens", output);
        }

        if (finishReason is { } reason)
        {
            activity.SetTag("gen_ai.response.finish_reasons", new[] { reason.Value });
        }
    }

    /// <summary>Marks a span failed with the exception's low-cardinality class (<see cref="ErrorClass"/>), never its message.</summary>
    internal static bool Failed(Activity? activity, Exception exception)
    {
        if (activity is { IsAllDataRequested: true })
        {
            var type = ErrorClass.Of(exception);
            activity.SetTag("error.type", type);
            activity.SetStatus(ActivityStatusCode.Error, type);
        }

        return false;
    }

    /// <summary>The semantic conventions' well-known <c>gen_ai.provider.name</c> values.</summary>
    internal static string ProviderName(ProviderKind kind) => kind switch
    {
        ProviderKind.OpenAI => "openai",
        ProviderKind.Anthropic => "anthropic",
        ProviderKind.Ollama => "ollama",
        _ => "unknown",
    };
}
