using System.Text.Json;
using CompanyOs.Llm.Calls;
using Microsoft.Extensions.AI;

namespace CompanyOs.Server.Anthropic;

/// <summary>Microsoft.Extensions.AI responses → Anthropic <c>message</c> objects, blocks and usage.</summary>
internal static class MessageResponseWriter
{
    private static readonly JsonElement EmptyObject = ParseOnce("{}");

    public static MessageWire Message(ChatResponse response, string requestedModel)
    {
        var blocks = new List<ContentBlockWire>();
        var text = string.Concat(response.Messages.SelectMany(m => m.Contents).OfType<TextContent>().Select(t => t.Text));
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        if (text.Length > 0 || calls.Count == 0)
        {
            blocks.Add(new ContentBlockWire { Type = "text", Text = text });
        }

        blocks.AddRange(calls.Select(c => ToolUse(c, withInput: true)));
        return new MessageWire
        {
            Id = MessageId(response.ResponseId),
            Model = response.ModelId ?? requestedModel,
            Content = blocks,
            StopReason = StopReason(response.FinishReason, calls.Count > 0),
            Usage = Usage(response.Usage),
        };
    }

    public static ContentBlockWire ToolUse(FunctionCallContent call, bool withInput) => new()
    {
        Type = "tool_use",
        Id = call.CallId,
        Name = call.Name,
        Input = withInput ? Input(call) : EmptyObject,
        Caller = new CallerWire(),
    };

    public static JsonElement Input(FunctionCallContent call) => call.Arguments is null
        ? EmptyObject
        : JsonSerializer.SerializeToElement(call.Arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));

    /// <summary>Anthropic's <c>input_tokens</c> excludes cache reads and writes, which the gateway counts inside its input total.</summary>
    public static AnthropicUsageWire Usage(UsageDetails? usage)
    {
        var cacheRead = usage?.CachedInputTokenCount ?? 0;
        var cacheWrite = usage?.AdditionalCounts?.GetValueOrDefault(UsageKeys.CacheWriteInputTokens) ?? 0;
        return new AnthropicUsageWire
        {
            InputTokens = Math.Max(0, (usage?.InputTokenCount ?? 0) - cacheRead - cacheWrite),
            CacheReadInputTokens = cacheRead,
            CacheCreationInputTokens = cacheWrite,
            OutputTokens = usage?.OutputTokenCount ?? 0,
        };
    }

    public static string StopReason(ChatFinishReason? reason, bool hasToolCalls)
    {
        if (reason == ChatFinishReason.Length)
        {
            return "max_tokens";
        }

        if (reason == ChatFinishReason.ContentFilter)
        {
            return "refusal";
        }

        return reason == ChatFinishReason.ToolCalls || (reason is null && hasToolCalls) ? "tool_use" : "end_turn";
    }

    /// <summary>Keeps an Anthropic id; otherwise makes one of Anthropic's shape (a GPT answer has <c>chatcmpl-…</c>).</summary>
    public static string MessageId(string? responseId) =>
        responseId is not null && responseId.StartsWith("msg_", StringComparison.Ordinal)
            ? responseId
            : "msg_" + (responseId ?? Guid.NewGuid().ToString("N"));

    private static JsonElement ParseOnce(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
