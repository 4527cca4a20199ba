using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.PassThrough;

/// <summary>
/// One server-sent event of a stream answered through a <see cref="PassThroughRequest"/>: the JSON of its <c>data:</c> line
/// exactly as the provider sent it (a <c>chat.completion.chunk</c>). The update carrying it also holds what the gateway read
/// (model, finish reason, a <see cref="UsageContent"/> for the usage chunk). The closing <c>[DONE]</c> is not an event: the
/// writer ends the stream itself, after the gateway's own closing lines.
/// </summary>
public sealed class PassThroughEvent(ReadOnlyMemory<byte> data, bool usageOnly) : AIContent
{
    /// <summary>The event's data (one JSON object, no <c>data: </c> prefix and no blank line).</summary>
    public ReadOnlyMemory<byte> Data { get; } = data;

    /// <summary>
    /// True for the usage chunk (<c>choices: []</c> with <c>usage</c>): a client that did not ask for it
    /// (<see cref="PassThroughRequest.ClientAskedForUsage"/>) must not be sent it.
    /// </summary>
    public bool UsageOnly { get; } = usageOnly;
}
