using System.Runtime.CompilerServices;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Providers;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway.Stats;

/// <summary>
/// Streamed content reaches the caller the moment the provider yields it: the accounting stage holds back only the trailing
/// usage/finish-reason update (which then carries <see cref="LlmCallInfo"/>), never text waiting for the next update.
/// </summary>
public sealed class StreamForwardingTests
{
    [Fact]
    public async Task Text_reaches_the_caller_before_the_provider_sends_its_next_update()
    {
        var ct = TestContext.Current.CancellationToken;
        var provider = new GatedStreamClient();
        using var gateway = LlmGateway.CreateBuilder(TestOptions.Create(), new SingleClientFactory(provider)).Build();
        await using var updates = gateway.GetStreamingResponseAsync([new(ChatRole.User, "hi")], cancellationToken: ct).GetAsyncEnumerator(ct);

        // The provider holds its second update until the gate opens; the first text must arrive without it.
        var first = updates.MoveNextAsync().AsTask();
        var arrived = await Task.WhenAny(first, Task.Delay(TimeSpan.FromSeconds(10), ct));
        Assert.True(arrived == first, "the first text update was held back until the provider's next update");
        Assert.True(await first);
        Assert.Equal("part 1", updates.Current.Text);
        Assert.Null(LlmCallInfo.From(updates.Current));

        provider.Gate.SetResult();
        var rest = new List<ChatResponseUpdate>();
        while (await updates.MoveNextAsync())
        {
            rest.Add(updates.Current);
        }

        // " part 2", then the provider's own trailing update carrying the call info: no extra update.
        Assert.Equal(2, rest.Count);
        Assert.Equal(" part 2", rest[0].Text);
        Assert.Equal(ChatFinishReason.Stop, rest[1].FinishReason);
        Assert.NotNull(LlmCallInfo.From(rest[1]));
    }

    private sealed class GatedStreamClient : IChatClient
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, "part 1") { ModelId = options?.ModelId };
            await Gate.Task.WaitAsync(cancellationToken);
            yield return new ChatResponseUpdate(ChatRole.Assistant, " part 2") { ModelId = options?.ModelId };
            yield return new ChatResponseUpdate
            {
                FinishReason = ChatFinishReason.Stop,
                Contents = [new UsageContent(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 4, TotalTokenCount = 14 })],
            };
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
