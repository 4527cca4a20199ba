using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.PassThrough;

/// <summary>
/// One server-sent event of a stream answered through a <see cref="PassThroughRequest"/>: the JSON of its <c>data:</c> line
/// exactly as the provider sent it (a <c>chat.completion.chunk</c>). The update carrying it also holds what the gateway read
/// (model, finish reason, a <see cref="UsageContent"/> for the usage chunk). The closing <c>[DONE]</c> is not an event: the
/// writer ends the stream itself, after the gateway's own closing lines.
/// </summary>
/// <param name="data">The event's data.</param>
/// <param name="usageOnly">Whether it is the usage chunk.</param>
/// <param name="moreReceived">Whether the provider's next event had already arrived with this one.</param>
public sealed class PassThroughEvent(ReadOnlyMemory<byte> data, bool usageOnly, bool moreReceived = false) : AIContent
{
    /// <summary>The event's data (one JSON object, no <c>data: </c> prefix and no blank line).</summary>
    public ReadOnlyMemory<byte> Data { get; } = data;

    /// <summary>
    /// True for the usage chunk (<c>choices: []</c> with <c>usage</c>): a client that did not ask for it
    /// (<see cref="PassThroughRequest.ClientAskedForUsage"/>) must not be sent it.
    /// </summary>
    public bool UsageOnly { get; } = usageOnly;

    /// <summary>
    /// True when the provider's next event (or its <c>[DONE]</c>) had already been received whole with this one, so that it
    /// follows without waiting on the network: a writer may send this event together with the next ones instead of on its
    /// own, at no cost in latency. False when the next event is still to come (send this one now) or unknown.
    /// </summary>
    public bool MoreReceived { get; } = moreReceived;
}
