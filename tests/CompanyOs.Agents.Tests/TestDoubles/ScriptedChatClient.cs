using System.Collections.Concurrent;
using CompanyOs.Llm.Calls;
using Microsoft.Extensions.AI;

namespace CompanyOs.Agents.Tests.TestDoubles;

/// <summary>A chat client that answers from a queue of scripted turns and records every request it saw.</summary>
internal sealed class ScriptedChatClient : IChatClient
{
    private readonly ConcurrentQueue<Func<IReadOnlyList<ChatMessage>, ChatOptions?, ChatResponse>> _turns = new();

    public List<(List<ChatMessage> Messages, ChatOptions? Options)> Requests { get; } = [];

    /// <summary>Cost reported per call through LlmCallInfo; null = no call info at all.</summary>
    public decimal? CostPerCall { get; set; } = 0.01m;

    public ScriptedChatClient Then(Func<IReadOnlyList<ChatMessage>, ChatOptions?, ChatResponse> turn)
    {
        _turns.Enqueue(turn);
        return this;
    }

    public ScriptedChatClient ThenCalls(params (string Id, string Name, object Args)[] calls) =>
        Then((_, _) => Response(calls.Select(c => (AIContent)new FunctionCallContent(c.Id, c.Name, ToDict(c.Args))).Prepend(new TextContent("Let me use tools.")).ToList()));

    public ScriptedChatClient ThenText(string text) => Then((_, _) => Response([new TextContent(text)]));

    public ScriptedChatClient ThenThrow(Exception exception) => Then((_, _) => throw exception);

    public int Remaining => _turns.Count;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var list = messages.ToList();
        lock (Requests)
        {
            Requests.Add((list, options));
        }

        if (!_turns.TryDequeue(out var turn))
        {
            throw new InvalidOperationException("The script has no more turns.");
        }

        var response = turn(list, options);
        if (CostPerCall is { } cost)
        {
            response.AdditionalProperties ??= [];
            response.AdditionalProperties[LlmCallInfo.PropertyKey] = new LlmCallInfo
            {
                Provider = "fake",
                Model = options?.ModelId ?? "fake-model",
                CostUsd = cost,
                Latency = TimeSpan.FromMilliseconds(5),
            };
        }

        return Task.FromResult(response);
    }

    /// <summary>Streams the same scripted turn as updates (what an observed run asks for).</summary>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    internal static ChatResponse Response(List<AIContent> contents)
    {
        var hasCalls = contents.OfType<FunctionCallContent>().Any();
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents))
        {
            ModelId = "fake-model",
            FinishReason = hasCalls ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 20, TotalTokenCount = 120 },
        };
    }

    internal static Dictionary<string, object?> ToDict(object args) =>
        System.Text.Json.JsonSerializer.SerializeToElement(args, AIJsonUtilities.DefaultOptions.GetTypeInfo(args.GetType()))
            .EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
}
