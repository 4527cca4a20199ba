namespace CompanyOs.Agents.Journal;

/// <summary>
/// A model call whose stream broke after output had started. The runtime asks the turn again, but the provider billed this
/// attempt, so what the gateway charged for it counts towards the run's tokens, cost and budget; the turn's answer is
/// recorded by the <see cref="LlmCallCompleted"/> of the call asked again.
/// </summary>
public sealed record LlmCallInterrupted : RunEvent
{
    /// <summary>The round trip the cut attempt belonged to (see <see cref="LlmCallCompleted.Iteration"/>).</summary>
    public int Iteration { get; init; }

    public bool Final { get; init; }

    public string? Model { get; init; }

    public string? Provider { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public long TotalTokens { get; init; }

    /// <summary>What the gateway charged; null when unknown (an unpriced model, or a chat client that is not the gateway).</summary>
    public decimal? CostUsd { get; init; }

    /// <summary>True when the charge is the gateway's estimate (the call's maximum, as for every interrupted attempt), not reported usage.</summary>
    public bool Estimated { get; init; }

    /// <summary>Why the stream broke (the gateway's message; never a key).</summary>
    public string? Error { get; init; }
}
