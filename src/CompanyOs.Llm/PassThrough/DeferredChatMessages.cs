using System.Collections;
using CompanyOs.Llm.Tokens;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.PassThrough;

/// <summary>
/// A request's messages, built only when something reads them. A wire endpoint that has checked a request at the byte level
/// hands these to the gateway with the texts the prompt estimate needs (<see cref="Prompt"/>): on the pass-through path
/// (<see cref="PassThroughRequest"/>) no stage reads the messages themselves, so no <see cref="ChatMessage"/> is ever built;
/// a stage that does (a provider of another wire after fallback, the response cache, a custom token counter, content
/// telemetry) gets them built on first use, once. Read-only.
/// </summary>
public sealed class DeferredChatMessages : IList<ChatMessage>, IReadOnlyList<ChatMessage>
{
    private readonly Func<IList<ChatMessage>> _build;
    private IList<ChatMessage>? _messages;

    /// <param name="prompt">The messages' texts for the prompt estimate; its <see cref="PromptTexts.MessageCount"/> is <see cref="Count"/>.</param>
    /// <param name="build">Builds the messages (called at most once per successful build).</param>
    public DeferredChatMessages(PromptTexts prompt, Func<IList<ChatMessage>> build)
    {
        Prompt = prompt ?? throw new ArgumentNullException(nameof(prompt));
        _build = build ?? throw new ArgumentNullException(nameof(build));
    }

    /// <summary>The texts <see cref="TiktokenTokenCounter"/> counts, without building the messages.</summary>
    public PromptTexts Prompt { get; }

    /// <summary>True once the messages have been built.</summary>
    public bool IsBuilt => Volatile.Read(ref _messages) is not null;

    public int Count => Prompt.MessageCount;

    public bool IsReadOnly => true;

    public ChatMessage this[int index]
    {
        get => Messages[index];
        set => throw ReadOnly();
    }

    public int IndexOf(ChatMessage item) => Messages.IndexOf(item);

    public bool Contains(ChatMessage item) => Messages.Contains(item);

    public void CopyTo(ChatMessage[] array, int arrayIndex) => Messages.CopyTo(array, arrayIndex);

    public IEnumerator<ChatMessage> GetEnumerator() => Messages.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Insert(int index, ChatMessage item) => throw ReadOnly();

    public void RemoveAt(int index) => throw ReadOnly();

    public void Add(ChatMessage item) => throw ReadOnly();

    public void Clear() => throw ReadOnly();

    public bool Remove(ChatMessage item) => throw ReadOnly();

    private IList<ChatMessage> Messages
    {
        get
        {
            if (Volatile.Read(ref _messages) is { } built)
            {
                return built;
            }

            var messages = _build();
            if (messages.Count != Prompt.MessageCount)
            {
                throw new InvalidOperationException(
                    $"The deferred request built {messages.Count} messages where its byte-level reading counted {Prompt.MessageCount}.");
            }

            return Interlocked.CompareExchange(ref _messages, messages, null) ?? messages;
        }
    }

    private static NotSupportedException ReadOnly() => new("A request's deferred messages are read-only.");
}
