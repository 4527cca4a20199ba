namespace CompanyOs.Llm.PassThrough;

/// <summary>
/// The <see cref="Microsoft.Extensions.AI.ChatResponse.RawRepresentation"/> of a call answered through a
/// <see cref="PassThroughRequest"/>: the provider's JSON body exactly as it arrived. The response itself carries only what
/// the gateway read from it (model, usage, finish reason) — no messages: write <see cref="Body"/> to the client.
/// </summary>
public sealed class PassThroughResponse(ReadOnlyMemory<byte> body)
{
    /// <summary>The upstream's <c>chat.completion</c> JSON, byte for byte.</summary>
    public ReadOnlyMemory<byte> Body { get; } = body;
}
