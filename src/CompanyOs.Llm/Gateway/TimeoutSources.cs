namespace CompanyOs.Llm.Gateway;

/// <summary>
/// The cancellation sources of the gateway's timeouts (per-attempt timeouts, total deadlines). On the system clock a source
/// whose use ended without cancellation is reset (which stops its timer) and kept in a small pool shared by every thread, so
/// that a call does not allocate a source and a timer each time — also when it ends on another thread than it started on,
/// as an answer from the network does; a cancelled source, and every source on any other clock (tests' fake clocks), is
/// disposed.
/// </summary>
internal sealed class TimeoutSources(TimeProvider time)
{
    private readonly bool _reuse = time == TimeProvider.System;

    /// <summary>
    /// How many sources are kept. Each call in flight holds one of a pool's sources, and calls end in bursts (a garbage
    /// collection's pause ends with many answers at once): a pool smaller than the calls in flight dropped the sources of a
    /// burst and made new ones (a source and a timer, ≈ 200 B) for the next — at 32 concurrent calls, 3 of every 5
    /// (4 slots on 2 cores).
    /// </summary>
    internal const int Capacity = 64;

    // Slots, not a queue: taking and giving back are one interlocked exchange each, and never allocate.
    private readonly CancellationTokenSource?[] _spares = new CancellationTokenSource?[Math.Max(Capacity, Environment.ProcessorCount * 2)];

    /// <summary>
    /// Cancels <paramref name="target"/> when <paramref name="token"/> is cancelled (a timeout's source by the caller's token),
    /// without capturing the execution context; dispose the registration before the source is given back or disposed.
    /// </summary>
    public static CancellationTokenRegistration CancelWith(CancellationTokenSource target, CancellationToken token) =>
        token.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), target);

    /// <summary>A source that cancels after <paramref name="timeout"/>; give it back with <see cref="Return"/>.</summary>
    public CancellationTokenSource Start(TimeSpan timeout)
    {
        if (!_reuse)
        {
            return new CancellationTokenSource(timeout, time);
        }

        var source = Take() ?? new CancellationTokenSource();
        source.CancelAfter(timeout);
        return source;
    }

    /// <summary>
    /// Ends a use of <paramref name="source"/>. Every registration made on its token (the caller's link included) must be
    /// disposed first: a kept source is handed to an unrelated call.
    /// </summary>
    public void Return(CancellationTokenSource source)
    {
        // TryReset fails once cancellation was requested or the timer can no longer be stopped: such a source is never reused.
        if (!_reuse || !source.TryReset() || !Keep(source))
        {
            source.Dispose();
        }
    }

    private CancellationTokenSource? Take()
    {
        var spares = _spares;
        for (var i = 0; i < spares.Length; i++)
        {
            if (Volatile.Read(ref spares[i]) is not null && Interlocked.Exchange(ref spares[i], null) is { } source)
            {
                return source;
            }
        }

        return null;
    }

    private bool Keep(CancellationTokenSource source)
    {
        var spares = _spares;
        for (var i = 0; i < spares.Length; i++)
        {
            if (Volatile.Read(ref spares[i]) is null && Interlocked.CompareExchange(ref spares[i], source, null) is null)
            {
                return true;
            }
        }

        return false;
    }
}
