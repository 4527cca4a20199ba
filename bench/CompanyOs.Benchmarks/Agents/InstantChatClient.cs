using Microsoft.Extensions.AI;

namespace CompanyOs.Benchmarks.Agents;

/// <summary>A chat client that answers instantly: one tool call first, then (once a tool result is present) a final text.</summary>
internal sealed class InstantChatClient : IChatClient
{
    private static readonly UsageDetails Usage = new() { InputTokenCount = 100, OutputTokenCount = 10, TotalTokenCount = 110 };

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        var hasResult = list[^1].Contents.OfType<FunctionResultContent>().Any();
        var message = hasResult
            ? new ChatMessage(ChatRole.Assistant, "Done.")
            : new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", "echo", new Dictionary<string, object?> { ["query"] = "x" })]);
        return Task.FromResult(new ChatResponse(message) { ModelId = "bench-model", Usage = Usage, FinishReason = hasResult ? ChatFinishReason.Stop : ChatFinishReason.ToolCalls });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The benchmark runtime does not stream.");

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
