namespace CompanyOs.Llm.Providers;

/// <summary>
/// Lets a latency-sensitive caller — a server forwarding a provider's stream chunk by chunk — have the provider's answer
/// handled on the socket's I/O thread as it arrives. By default .NET hands every socket completion from its I/O (epoll)
/// thread to a thread-pool worker; between the chunks of a stream (tens of milliseconds apart) the workers fall asleep, and
/// waking one for each chunk adds tens of microseconds, on a loaded or virtual machine sometimes more than a millisecond.
/// Inside a <see cref="PreferInline"/> scope the provider connections' reads and writes made by that flow complete on the
/// I/O thread itself, which then runs the code waiting for them (parsing the chunk, the gateway's stages, writing it to the
/// client) — what the process-wide <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> does for every socket, here only
/// for these flows, so that ordinary calls keep the thread pool's parallelism.
/// </summary>
/// <remarks>
/// Code inside the scope must not block: while it runs, the I/O thread serves no other socket. The number of flows in scopes
/// at once is capped by the caller (<c>maxFlows</c>); beyond the cap a scope does nothing, so a server under heavy streaming
/// load — where the workers are awake anyway — falls back to the thread pool instead of serialising every stream on the I/O
/// thread. The reads and writes themselves are rationed as well: at most <see cref="InlineBudget.OperationsPerWindow"/>
/// inline operations per <see cref="InlineBudget.WindowMilliseconds"/> ms in the process (2,000 a second, about 64 streams
/// at 30 chunks a second); beyond that they complete on the thread pool until the next window. Streams whose chunks are
/// dense — all of a short answer at once, request after request — would otherwise run nearly all of their requests' work on
/// the one I/O thread (measured with 8 concurrent short streams: 5,353 req/s with every stream inline, 7,815 rationed,
/// 8,353 with no scope; issue 17), while sparse chunks, the case the scope is for, stay well within it. Applies to
/// connections made by the gateway's default handler (<see cref="ProviderSockets"/>) over HTTP/1.x; a scope is a no-op
/// where the runtime offers no per-socket switch, or where the process already completes every socket inline.
/// </remarks>
public static class ProviderReads
{
    private static readonly AsyncLocal<bool> Inline = new();
    private static int _flows;

    /// <summary>The process's ration of inline operations (replaceable by tests).</summary>
    internal static InlineBudget Budget { get; set; } = new(InlineBudget.OperationsPerWindow, InlineBudget.WindowMilliseconds);

    /// <summary>
    /// Whether the current read or write of a provider connection completes on the I/O thread: the flow is in a scope, and
    /// this window's ration is not used up (the call takes one operation of it).
    /// </summary>
    internal static bool InlinePreferred => Inline.Value && Budget.TryTake(Environment.TickCount64);

    /// <summary>How many flows are in an active <see cref="PreferInline"/> scope now, in this process.</summary>
    public static int InlineFlows => Volatile.Read(ref _flows);

    /// <summary>
    /// From here until the returned scope is disposed (by the same method: an <see langword="async"/> method's changes are
    /// its own), provider reads and writes of this flow complete on the socket's I/O thread — unless
    /// <paramref name="maxFlows"/> flows already do, the flow already is in a scope, or <see cref="ProviderSockets.IsAvailable"/>
    /// is false; the scope then does nothing.
    /// </summary>
    /// <param name="maxFlows">Most flows in scopes at once, this one included; 0 turns the scope off.</param>
    public static Scope PreferInline(int maxFlows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxFlows);
        if (maxFlows == 0 || Inline.Value || !ProviderSockets.IsAvailable)
        {
            return default;
        }

        if (Interlocked.Increment(ref _flows) > maxFlows)
        {
            Interlocked.Decrement(ref _flows);
            return default;
        }

        Inline.Value = true;
        return new Scope(entered: true);
    }

    /// <summary>An active or empty <see cref="PreferInline"/> scope; disposing it ends it.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly bool _entered;

        internal Scope(bool entered) => _entered = entered;

        /// <summary>Whether this scope counts against the cap and makes the flow's provider I/O complete inline.</summary>
        public bool IsActive => _entered;

        /// <inheritdoc />
        public void Dispose()
        {
            if (_entered)
            {
                Inline.Value = false;
                Interlocked.Decrement(ref _flows);
            }
        }
    }
}

/// <summary>
/// A ration of operations per fixed window of time, shared by every thread: <see cref="TryTake"/> grants the first
/// <c>perWindow</c> calls of each window. Races at a window's turn may grant a few calls more; nothing waits.
/// </summary>
internal sealed class InlineBudget(int perWindow, long windowMilliseconds)
{
    /// <summary>Inline operations granted per window by default.</summary>
    public const int OperationsPerWindow = 200;

    /// <summary>The default window, milliseconds.</summary>
    public const long WindowMilliseconds = 100;

    private long _windowStart;
    private int _taken;

    /// <summary>Takes one operation of the window holding <paramref name="nowMilliseconds"/>; false when it is used up.</summary>
    public bool TryTake(long nowMilliseconds)
    {
        var start = Volatile.Read(ref _windowStart);
        if (nowMilliseconds - start >= windowMilliseconds && Interlocked.CompareExchange(ref _windowStart, nowMilliseconds, start) == start)
        {
            Volatile.Write(ref _taken, 0);
        }

        return Interlocked.Increment(ref _taken) <= perWindow;
    }
}
