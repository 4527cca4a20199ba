using System.Diagnostics;

namespace CompanyOs.Testing;

/// <summary>
/// Bounded polling for tests that wait on real concurrency (a background drive reaching a tool, a writer appending):
/// every wait has an upper bound in attempts and in wall-clock time, and failing it names what never happened, so a
/// regression fails the test in seconds instead of hanging the session. Compiled into every test project
/// (Directory.Build.props).
/// </summary>
internal static class Poll
{
    /// <summary>Default bound on the wall-clock wait; generous for a loaded CI machine, short next to the hang dump.</summary>
    public static readonly TimeSpan DefaultWithin = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);

    /// <summary>Waits until <paramref name="condition"/> holds; fails with <paramref name="what"/> when it does not in time.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? within = null, CancellationToken cancellationToken = default) =>
        UntilAsync(() => Task.FromResult(condition()), what, within, cancellationToken);

    /// <summary>Waits until <paramref name="condition"/> holds; fails with <paramref name="what"/> when it does not in time.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null, CancellationToken cancellationToken = default)
    {
        var limit = within ?? DefaultWithin;
        var maxAttempts = (int)Math.Ceiling(limit / Interval) + 1;
        var clock = Stopwatch.StartNew();
        for (var attempt = 1; attempt <= maxAttempts && clock.Elapsed <= limit; attempt++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(Interval, cancellationToken.CanBeCanceled ? cancellationToken : TestContext.Current.CancellationToken);
        }

        if (await condition())
        {
            return;
        }

        Assert.Fail($"gave up waiting after {clock.Elapsed.TotalSeconds:0.0} s (bound {limit.TotalSeconds:0.#} s, {maxAttempts} polls): {what}");
    }
}
