using System.Buffers;
using CompanyOs.Llm.Calls;

namespace CompanyOs.Llm.PassThrough;

/// <summary>
/// The <see cref="Microsoft.Extensions.AI.ChatResponse.RawRepresentation"/> of a call answered through a
/// <see cref="PassThroughRequest"/>: the provider's JSON body exactly as it arrived. The response itself carries only what
/// the gateway read from it (model, usage, finish reason) — no messages: write <see cref="Body"/> to the client. What the
/// gateway did for the call (<see cref="LlmCallInfo"/>) rides here, as <see cref="CallInfo"/>, instead of in the response's
/// <c>AdditionalProperties</c>: <see cref="LlmCallInfo.From(Microsoft.Extensions.AI.ChatResponse)"/> reads it either way.
/// </summary>
/// <remarks>
/// A body of a stated length is read into a buffer rented from <see cref="ArrayPool{T}.Shared"/>: whoever writes it out and
/// is its last reader gives the buffer back with <see cref="Release"/>. Not releasing is harmless (the buffer is collected
/// like any array); releasing while something still reads <see cref="Body"/> is not.
/// </remarks>
public sealed class PassThroughResponse
{
    private byte[]? _rented;
    private ReadOnlyMemory<byte> _body;

    /// <param name="body">The body (not pooled: <see cref="Release"/> does nothing).</param>
    public PassThroughResponse(ReadOnlyMemory<byte> body)
    {
        _body = body;
    }

    private PassThroughResponse(byte[] rented, int length)
    {
        _rented = rented;
        _body = rented.AsMemory(0, length);
    }

    /// <summary>
    /// What the gateway did for the call this body answered, set by the gateway's accounting stage: on the raw response rather
    /// than in a property dictionary on the <see cref="Microsoft.Extensions.AI.ChatResponse"/>, which cost one per call (≈ 240 B)
    /// and, written as the call ends, was what a garbage collection had to keep of calls that ended since it last promoted.
    /// Read it with <see cref="LlmCallInfo.From(Microsoft.Extensions.AI.ChatResponse)"/>.
    /// </summary>
    public LlmCallInfo? CallInfo { get; internal set; }

    /// <summary>The upstream's <c>chat.completion</c> JSON, byte for byte; empty once <see cref="Release"/>d.</summary>
    public ReadOnlyMemory<byte> Body => _body;

    /// <summary>
    /// Gives a pooled body's buffer back once nothing reads it any more (the server calls it when the body has been written
    /// to the client); <see cref="Body"/> is empty afterwards. Calling it again, or on a body that is not pooled, does nothing.
    /// </summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _rented, null) is { } rented)
        {
            _body = default;
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>A body of <paramref name="length"/> bytes in <paramref name="rented"/>, from <see cref="ArrayPool{T}.Shared"/>.</summary>
    internal static PassThroughResponse Pooled(byte[] rented, int length) => new(rented, length);
}
