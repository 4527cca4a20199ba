namespace CompanyOs.Llm.Gateway.Resilience;

/// <summary>
/// The circuit breakers of every pipeline built over one <see cref="GatewayServices"/>, per provider, for health reports.
/// Each pipeline has its own breakers; a provider reports the most severe state among them. Pipelines that are gone are
/// forgotten (weak references), so building pipelines does not leak.
/// </summary>
internal sealed class CircuitStates(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<WeakReference<Breaker>>> _breakers = new(StringComparer.Ordinal);

    /// <summary>A new breaker of <paramref name="provider"/>, kept alive by the pipeline whose callbacks update it.</summary>
    public Breaker Register(string provider)
    {
        var breaker = new Breaker(time);
        lock (_gate)
        {
            if (!_breakers.TryGetValue(provider, out var list))
            {
                _breakers[provider] = list = [];
            }

            list.RemoveAll(w => !w.TryGetTarget(out _));
            list.Add(new WeakReference<Breaker>(breaker));
        }

        return breaker;
    }

    /// <summary>The most severe state of <paramref name="provider"/>'s breakers; null when it has none (breaker disabled).</summary>
    public ProviderCircuitState? StateOf(string provider)
    {
        lock (_gate)
        {
            if (!_breakers.TryGetValue(provider, out var list))
            {
                return null;
            }

            ProviderCircuitState? worst = null;
            foreach (var weak in list)
            {
                if (weak.TryGetTarget(out var breaker) && (worst is null || breaker.State > worst))
                {
                    worst = breaker.State;
                }
            }

            return worst;
        }
    }

    /// <summary>One breaker, updated from Polly's callbacks.</summary>
    internal sealed class Breaker(TimeProvider time)
    {
        private readonly Lock _gate = new();
        private ProviderCircuitState _state;
        private DateTimeOffset _openUntil;

        /// <summary>Polly moves an open circuit to half-open only when the next call arrives: after the break it is reported half-open.</summary>
        public ProviderCircuitState State
        {
            get
            {
                lock (_gate)
                {
                    return _state == ProviderCircuitState.Open && time.GetUtcNow() >= _openUntil ? ProviderCircuitState.HalfOpen : _state;
                }
            }
        }

        public void Opened(TimeSpan breakDuration) => Set(ProviderCircuitState.Open, time.GetUtcNow() + breakDuration);

        public void HalfOpened() => Set(ProviderCircuitState.HalfOpen, default);

        public void Closed() => Set(ProviderCircuitState.Closed, default);

        private void Set(ProviderCircuitState state, DateTimeOffset openUntil)
        {
            lock (_gate)
            {
                _state = state;
                _openUntil = openUntil;
            }
        }
    }
}
