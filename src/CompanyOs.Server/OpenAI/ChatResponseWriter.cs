using System.Text.Json;
using Microsoft.Extensions.AI;

namespace CompanyOs.Server.OpenAI;

/// <summary>Microsoft.Extensions.AI responses → the OpenAI chat completion and chunk wire types.</summary>
internal static class ChatResponseWriter
{
    public static ChatCompletionResponse Completion(ChatResponse response, string requestedModel, DateTimeOffset now)
    {
        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        var text = string.Concat(contents.OfType<TextContent>().Select(t => t.Text));
        var calls = contents.OfType<FunctionCallContent>().Select((c, _) => ToolCall(c, index: null)).ToList();
        return new ChatCompletionResponse
        {
            Id = CompletionId(response.ResponseId),
            Created = (response.CreatedAt ?? now).ToUnixTimeSeconds(),
            Model = response.ModelId ?? requestedModel,
            Choices =
            [
                new ChoiceWire
                {
                    Message = new AssistantMessageWire
                    {
                        Content = text.Length == 0 && calls.Count > 0 ? null : text,
                        ToolCalls = calls.Count > 0 ? calls : null,
                    },
                    FinishReason = FinishReason(response.FinishReason, calls.Count > 0),
                },
            ],
            Usage = Usage(response.Usage) ?? new UsageWire { PromptTokensDetails = new PromptTokensDetailsWire() },
        };
    }

    public static ToolCallOutWire ToolCall(FunctionCallContent call, int? index) => new()
    {
        Index = index,
        Id = call.CallId,
        Type = "function",
        Function = new FunctionCallWire
        {
            Name = call.Name,
            Arguments = call.Arguments is null ? "{}" : JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>))),
        },
    };

    public static UsageWire? Usage(UsageDetails? usage) => usage is null ? null : new UsageWire
    {
        PromptTokens = usage.InputTokenCount ?? 0,
        CompletionTokens = usage.OutputTokenCount ?? 0,
        TotalTokens = usage.TotalTokenCount ?? (usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0),
        PromptTokensDetails = new PromptTokensDetailsWire { CachedTokens = usage.CachedInputTokenCount ?? 0 },
    };

    public static string FinishReason(ChatFinishReason? reason, bool hasToolCalls)
    {
        if (reason == ChatFinishReason.Length)
        {
            return "length";
        }

        if (reason == ChatFinishReason.ContentFilter)
        {
            return "content_filter";
        }

        return reason == ChatFinishReason.ToolCalls || (reason is null && hasToolCalls) ? "tool_calls" : "stop";
    }

    /// <summary>Keeps the provider's id when it already has OpenAI's shape; otherwise makes one (a Claude answer has <c>msg_…</c>).</summary>
    public static string CompletionId(string? responseId) =>
        responseId is not null && responseId.StartsWith("chatcmpl-", StringComparison.Ordinal)
            ? responseId
            : "chatcmpl-" + (responseId ?? Guid.NewGuid().ToString("N"));
}
