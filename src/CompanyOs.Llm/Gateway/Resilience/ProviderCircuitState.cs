namespace CompanyOs.Llm.Gateway.Resilience;

/// <summary>The state of a provider's circuit breaker, as reported by <see cref="GatewayServices.GetCircuitState"/>.</summary>
public enum ProviderCircuitState
{
    /// <summary>Calls go through.</summary>
    Closed,

    /// <summary>Half-open: the break is over and the next call probes the provider; its outcome closes or reopens the circuit.</summary>
    HalfOpen,

    /// <summary>Calls fail at once (<c>circuit_open</c>) until the break is over.</summary>
    Open,
}
