using Microsoft.Extensions.AI;

namespace CompanyOs.Agents.CrashHost;

/// <summary>
/// A scripted model that answers from the conversation alone (so a resumed process continues the same script): turn n is
/// chosen by the number of assistant messages already in the history.
/// </summary>
public sealed class DeterministicChatClient : IChatClient
{
    /// <summary>The tool calls of each turn; after the last, a final answer.</summary>
    public static readonly (string Tool, string Query)[][] Turns =
    [
        [("fetch", "a"), ("write_note", "b"), ("send", "c")],
        [("fetch", "d"), ("send", "e")],
        [("write_note", "f")],
    ];

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await Task.Delay(Random.Shared.Next(0, 10), cancellationToken);
        var turn = messages.Count(m => m.Role == ChatRole.Assistant);
        var contents = new List<AIContent> { new TextContent($"Turn {turn}.") };
        if (turn < Turns.Length)
        {
            contents.AddRange(Turns[turn].Select((c, i) => (AIContent)new FunctionCallContent(
                $"t{turn}_{i}", c.Tool, new Dictionary<string, object?> { ["query"] = c.Query })));
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents))
        {
            ModelId = "deterministic",
            FinishReason = turn < Turns.Length ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 50, OutputTokenCount = 10, TotalTokenCount = 60 },
        };
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
