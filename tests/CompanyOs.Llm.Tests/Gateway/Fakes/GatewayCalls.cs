using CompanyOs.Llm.Calls;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway.Fakes;

/// <summary>What a test sees of one call, streaming or not.</summary>
public sealed record CallResult(string Text, LlmCallInfo Info, IReadOnlyList<ChatResponseUpdate> Updates);

public static class GatewayCalls
{
    public static async Task<CallResult> CallAsync(IChatClient gateway, bool streaming, ChatOptions? options = null, string prompt = "hello", CancellationToken cancellationToken = default)
    {
        if (!streaming)
        {
            var response = await gateway.GetResponseAsync(prompt, options, cancellationToken);
            return new CallResult(response.Text, LlmCallInfo.From(response) ?? throw new InvalidOperationException("no call info on the response"), []);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in gateway.GetStreamingResponseAsync(prompt, options, cancellationToken))
        {
            updates.Add(update);
        }

        var info = LlmCallInfo.From(updates[^1]) ?? throw new InvalidOperationException("no call info on the last update");
        return new CallResult(updates.ToChatResponse().Text, info, updates);
    }
}
