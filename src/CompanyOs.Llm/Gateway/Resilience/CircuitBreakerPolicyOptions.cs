namespace CompanyOs.Llm.Gateway.Resilience;

/// <summary>The <c>circuit_breaker</c> configuration section; one breaker per provider.</summary>
public sealed record CircuitBreakerPolicyOptions
{
    public bool Enabled { get; init; } = true;

    /// <summary>Share of failed attempts (retriable provider errors) in the sampling window that opens the circuit.</summary>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>Attempts needed in the window before the ratio is considered.</summary>
    public int MinimumThroughput { get; init; } = 10;

    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open before one probe call is let through (half-open).</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);
}
