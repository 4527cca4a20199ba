using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Providers;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway.Fakes;

/// <summary>
/// Providers that answer "ok" with <paramref name="usage"/> synchronously (an already completed task, the model asked for
/// echoed back): for the gateway's paths when a provider answers at once. Streaming is not supported.
/// </summary>
public sealed class InstantProviderFactory(UsageDetails usage) : IProviderClientFactory
{
    public IChatClient Create(ProviderOptions provider) => new Instant(usage);

    private sealed class Instant(UsageDetails usage) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { ModelId = options?.ModelId, Usage = usage });

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
