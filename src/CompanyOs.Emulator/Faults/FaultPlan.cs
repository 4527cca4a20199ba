namespace CompanyOs.Emulator.Faults;

/// <summary>
/// Thread-safe queue of faults injected into upcoming requests, in order. A fault enqueued with <c>times: 3</c>
/// fails the next three matching requests; later requests succeed. Faults without a route apply to the chat routes
/// only (<c>/v1/chat/completions</c>, <c>/v1/messages</c>, <c>/api/chat</c>), never to model listings or token counting.
/// </summary>
public sealed class FaultPlan
{
    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];

    /// <summary>Number of injections still pending (a fault with <c>times: 3</c> counts 3).</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _entries.Sum(e => e.Remaining);
            }
        }
    }

    /// <summary>Fails the next <paramref name="times"/> matching requests with <paramref name="fault"/>.</summary>
    /// <param name="fault">The fault.</param>
    /// <param name="times">How many requests it applies to.</param>
    /// <param name="provider">Only requests to this provider's chat route; null for any provider.</param>
    /// <param name="route">Only this route (may be a non-chat route); overrides <paramref name="provider"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="times"/> is less than 1.</exception>
    public void Enqueue(Fault fault, int times = 1, EmulatorProvider? provider = null, EmulatorRoute? route = null)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        lock (_gate)
        {
            _entries.Add(new Entry(fault, provider, route) { Remaining = times });
        }
    }

    /// <summary>Removes every pending fault.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    internal Fault? TryTake(EmulatorRoute route)
    {
        lock (_gate)
        {
            var index = _entries.FindIndex(e => e.Matches(route));
            if (index < 0)
            {
                return null;
            }

            var entry = _entries[index];
            if (--entry.Remaining == 0)
            {
                _entries.RemoveAt(index);
            }

            return entry.Fault;
        }
    }

    private sealed class Entry(Fault fault, EmulatorProvider? provider, EmulatorRoute? route)
    {
        public Fault Fault { get; } = fault;

        public int Remaining { get; set; }

        public bool Matches(EmulatorRoute candidate)
        {
            if (route is { } r)
            {
                return r == candidate;
            }

            var isChat = candidate is EmulatorRoute.OpenAIChatCompletions or EmulatorRoute.AnthropicMessages or EmulatorRoute.OllamaChat;
            return isChat && (provider is null || provider == candidate.Provider());
        }
    }
}
