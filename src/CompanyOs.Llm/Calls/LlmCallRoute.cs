using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Calls;

/// <summary>
/// Where a streaming call is being answered from, known once its first update arrives: attached to that first
/// <see cref="ChatResponseUpdate"/> under <see cref="PropertyKey"/>. After output has started the gateway never retries or
/// falls back, so provider, model, cache hit and fallback path are final here; cost and usage come with
/// <see cref="LlmCallInfo"/> on the last update. A server uses it to write response headers before the first chunk.
/// </summary>
public sealed record LlmCallRoute
{
    public const string PropertyKey = "companyos.call_route";

    /// <summary>The provider answering the stream.</summary>
    public required string Provider { get; init; }

    /// <summary>The exact model id answering (the provider's own id once it reported one).</summary>
    public required string Model { get; init; }

    /// <summary>True when the stream is replayed from the gateway's response cache.</summary>
    public bool CacheHit { get; init; }

    /// <summary>Providers given up on before <see cref="Provider"/>, in order; empty without fallback.</summary>
    public IReadOnlyList<string> FallbackPath { get; init; } = [];

    /// <summary>The route attached to <paramref name="update"/> (the first update of a gateway stream), or null.</summary>
    public static LlmCallRoute? From(ChatResponseUpdate update) =>
        update?.AdditionalProperties is { } properties && properties.TryGetValue(PropertyKey, out var value) ? value as LlmCallRoute : null;
}
