using CompanyOs.Llm.PassThrough;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Calls;

/// <summary>
/// What the gateway did for one call: attached to <see cref="ChatResponse.AdditionalProperties"/> (and to the last
/// <see cref="ChatResponseUpdate"/> of a stream) under <see cref="PropertyKey"/> — except on an answer passed through as the
/// provider's bytes, which carries it on its <see cref="PassThroughResponse"/> (<see cref="PassThroughResponse.CallInfo"/>,
/// no property dictionary per call): read it with <see cref="From(ChatResponse)"/>, which looks in both. A stream that broke after output had
/// started (<c>ProviderException</c> of kind <c>StreamInterrupted</c>), or a failed call whose attempts the provider billed,
/// carries what it was charged in the exception's <see cref="Exception.Data"/> under the same key: read it with
/// <see cref="From(Exception)"/>. Cost and usage include the attempts that failed after the provider answered (billed).
/// </summary>
public sealed record LlmCallInfo
{
    public const string PropertyKey = "companyos.call_info";

    /// <summary>The provider that finally answered.</summary>
    public required string Provider { get; init; }

    /// <summary>The exact model id that answered (after alias resolution and fallback).</summary>
    public required string Model { get; init; }

    /// <summary>Cost in USD; null when the model has no known price (never a silent zero).</summary>
    public decimal? CostUsd { get; init; }

    /// <summary>True when the response came from the gateway's response cache (it then costs nothing).</summary>
    public bool CacheHit { get; init; }

    /// <summary>Attempts made across retries and fallbacks (1 = first try succeeded).</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>Providers tried before <see cref="Provider"/>, in order, when fallback was used.</summary>
    public IReadOnlyList<string> FallbackPath { get; init; } = [];

    /// <summary>Wall-clock latency of the whole call including retries.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>
    /// The usage charged for the call (null for a cache hit). For an interrupted stream without reported usage it is the
    /// call's maximum (prompt estimate + output cap), marked with <see cref="UsageKeys.Estimated"/> in <c>AdditionalCounts</c>.
    /// </summary>
    public UsageDetails? Usage { get; init; }

    /// <summary>
    /// The info of a response (a passed-through answer's is on its <see cref="PassThroughResponse"/>), or of a stream aggregated
    /// with <c>ToChatResponse()</c> (which moves the last update's properties to the message that update belongs to, so the
    /// messages are searched too, last first).
    /// </summary>
    public static LlmCallInfo? From(ChatResponse response)
    {
        if (response is null)
        {
            return null;
        }

        if (response.RawRepresentation is PassThroughResponse { CallInfo: { } passed })
        {
            return passed;
        }

        if (Find(response.AdditionalProperties) is { } info)
        {
            return info;
        }

        for (var i = response.Messages.Count - 1; i >= 0; i--)
        {
            if (Find(response.Messages[i].AdditionalProperties) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    public static LlmCallInfo? From(ChatResponseUpdate update) => Find(update?.AdditionalProperties);

    /// <summary>What a failed call was charged (an interrupted stream); null when it was charged nothing.</summary>
    public static LlmCallInfo? From(Exception exception) =>
        exception?.Data is { } data && data.Contains(PropertyKey) ? data[PropertyKey] as LlmCallInfo : null;

    private static LlmCallInfo? Find(AdditionalPropertiesDictionary? properties) =>
        properties is not null && properties.TryGetValue(PropertyKey, out var value) ? value as LlmCallInfo : null;
}
