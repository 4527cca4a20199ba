using Microsoft.Extensions.AI;

namespace CompanyOs.Benchmarks.Agents;

/// <summary>
/// A chat client that answers instantly: one tool call per turn until the history holds <paramref name="toolSteps"/> tool
/// results, then a final text.
/// </summary>
internal sealed class InstantChatClient(int toolSteps) : IChatClient
{
    private static readonly UsageDetails Usage = new() { InputTokenCount = 100, OutputTokenCount = 10, TotalTokenCount = 110 };

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        var results = list.Sum(m => m.Contents.Count(c => c is FunctionResultContent));
        var done = results >= toolSteps;
        var message = done
            ? new ChatMessage(ChatRole.Assistant, "Done.")
            : new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"call_{results + 1}", "echo", new Dictionary<string, object?> { ["query"] = "x" })]);
        return Task.FromResult(new ChatResponse(message) { ModelId = "bench-model", Usage = Usage, FinishReason = done ? ChatFinishReason.Stop : ChatFinishReason.ToolCalls });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The benchmark runtime does not stream.");

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
