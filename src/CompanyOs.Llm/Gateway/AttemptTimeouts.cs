namespace CompanyOs.Llm.Gateway;

/// <summary>
/// The cancellation sources of per-attempt timeouts. On the system clock a source whose attempt ended without cancellation is
/// reset (which stops its timer) and kept for the next attempt on the same thread, so that a call does not allocate a source
/// and a timer each time; a cancelled source, and every source on any other clock (tests' fake clocks), is disposed.
/// </summary>
internal sealed class AttemptTimeouts(TimeProvider time)
{
    [ThreadStatic]
    private static CancellationTokenSource? t_spare;

    private readonly bool _reuse = time == TimeProvider.System;

    /// <summary>A source that cancels after <paramref name="timeout"/>; give it back with <see cref="Return"/>.</summary>
    public CancellationTokenSource Start(TimeSpan timeout)
    {
        if (!_reuse)
        {
            return new CancellationTokenSource(timeout, time);
        }

        var source = t_spare ?? new CancellationTokenSource();
        t_spare = null;
        source.CancelAfter(timeout);
        return source;
    }

    /// <summary>
    /// Ends an attempt's use of <paramref name="source"/>. Every registration made on its token (the caller's link included)
    /// must be disposed first: a kept source is handed to an unrelated attempt.
    /// </summary>
    public void Return(CancellationTokenSource source)
    {
        // TryReset fails once cancellation was requested or the timer can no longer be stopped: such a source is never reused.
        if (_reuse && t_spare is null && source.TryReset())
        {
            t_spare = source;
            return;
        }

        source.Dispose();
    }
}
