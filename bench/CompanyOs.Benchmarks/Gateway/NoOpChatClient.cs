using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace CompanyOs.Benchmarks.Gateway;

/// <summary>A provider that answers instantly: what remains of a call's cost is the gateway's own overhead.</summary>
internal sealed class NoOpChatClient : IChatClient
{
    private static readonly ChatMessage Answer = new(ChatRole.Assistant, "ok");
    private static readonly UsageDetails Usage = new() { InputTokenCount = 12, OutputTokenCount = 3, TotalTokenCount = 15 };

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ChatResponse(Answer) { ModelId = options?.ModelId, Usage = Usage });

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        yield return new ChatResponseUpdate(ChatRole.Assistant, "ok") { ModelId = options?.ModelId };
        yield return new ChatResponseUpdate { Contents = [new UsageContent(Usage)] };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
