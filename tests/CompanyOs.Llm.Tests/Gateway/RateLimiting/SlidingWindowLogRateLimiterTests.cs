using System.Threading.RateLimiting;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Tests.Gateway.Fakes;

namespace CompanyOs.Llm.Tests.Gateway.RateLimiting;

public sealed class SlidingWindowLogRateLimiterTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_burst_never_puts_more_than_the_limits_into_any_60_second_window()
    {
        var time = FakeClock.Create();
        using var sut = new SlidingWindowLogRateLimiter(new SlidingWindowLogOptions { RequestLimit = 10, TokenLimit = 1_000 }, time);
        var random = new Random(42);
        var sizes = Enumerable.Range(0, 150).Select(_ => random.Next(1, 301)).ToArray();
        var granted = new List<(long Timestamp, int Tokens)>();
        var pending = sizes.Select(async n =>
        {
            using var lease = await sut.AcquireAsync(n, TestContext.Current.CancellationToken);
            Assert.True(lease.IsAcquired);
            lock (granted)
            {
                granted.Add((((WindowLease)lease).Entry!.Timestamp, n));
            }
        }).ToArray();

        await FakeClock.AdvanceUntilAsync(time, () => pending.All(t => t.IsCompleted), () => Count(granted), TimeSpan.FromSeconds(10));
        await Task.WhenAll(pending);

        Assert.Equal(sizes.Length, granted.Count);
        var window = (long)(Minute.TotalSeconds * time.TimestampFrequency);
        var ordered = granted.OrderBy(g => g.Timestamp).ToArray();
        for (var i = 0; i < ordered.Length; i++)
        {
            var inWindow = ordered.Skip(i).TakeWhile(g => g.Timestamp < ordered[i].Timestamp + window).ToArray();
            Assert.True(inWindow.Length <= 10, $"{inWindow.Length} requests in the window starting at grant {i}");
            Assert.True(inWindow.Sum(g => g.Tokens) <= 1_000, $"{inWindow.Sum(g => g.Tokens)} tokens in the window starting at grant {i}");
        }

        // Not over-restrictive: a window somewhere is filled to its request limit.
        Assert.Contains(Enumerable.Range(0, ordered.Length), i => ordered.Skip(i).TakeWhile(g => g.Timestamp < ordered[i].Timestamp + window).Count() == 10 ||
            ordered.Skip(i).TakeWhile(g => g.Timestamp < ordered[i].Timestamp + window).Sum(g => g.Tokens) > 700);
    }

    [Fact]
    public void Attempt_fails_fast_with_the_exact_retry_after()
    {
        var time = FakeClock.Create();
        using var sut = new SlidingWindowLogRateLimiter(new SlidingWindowLogOptions { RequestLimit = 2 }, time);
        Assert.True(sut.AttemptAcquire(1).IsAcquired);
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(sut.AttemptAcquire(1).IsAcquired);

        using var refused = sut.AttemptAcquire(1);

        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(40), retryAfter);
        time.Advance(TimeSpan.FromSeconds(40));
        Assert.True(sut.AttemptAcquire(1).IsAcquired);
    }

    [Fact]
    public void Correction_with_real_usage_frees_tokens_at_once()
    {
        var time = FakeClock.Create();
        using var sut = new SlidingWindowLogRateLimiter(new SlidingWindowLogOptions { TokenLimit = 1_000 }, time);
        var lease = sut.AttemptAcquire(900);
        Assert.False(sut.AttemptAcquire(800).IsAcquired);

        sut.Correct(lease, 150);

        Assert.True(sut.AttemptAcquire(800).IsAcquired);
        Assert.False(sut.AttemptAcquire(100).IsAcquired);
    }

    [Fact]
    public async Task A_correction_that_frees_tokens_lets_a_waiter_in_at_once()
    {
        var time = FakeClock.Create();
        using var sut = new SlidingWindowLogRateLimiter(new SlidingWindowLogOptions { TokenLimit = 1_000, QueueLimit = 1 }, time);
        var lease = sut.AttemptAcquire(900);
        var waiting = sut.AcquireAsync(800, TestContext.Current.CancellationToken).AsTask();
        Assert.False(waiting.IsCompleted);

        sut.Correct(lease, 150); // the clock has not moved: only the correction can make room

        using var granted = await waiting.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.True(granted.IsAcquired);
        Assert.Equal(1_000 - 950, sut.GetWindowState().RemainingTokens);
    }

    [Fact]
    public async Task Waiters_are_served_in_order_and_can_be_cancelled()
    {
        var time = FakeClock.Create();
        using var sut = new SlidingWindowLogRateLimiter(new SlidingWindowLogOptions { RequestLimit = 1, QueueLimit = 2 }, time);
        using var first = sut.AttemptAcquire(1);
        using var cancel = new CancellationTokenSource();
        var cancelled = sut.AcquireAsync(1, cancel.Token).AsTask();
        var second = sut.AcquireAsync(1, TestContext.Current.CancellationToken).AsTask();
        using var overflow = await sut.AcquireAsync(1, TestContext.Current.CancellationToken);
        Assert.False(overflow.IsAcquired);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.False(second.IsCompleted);
        time.Advance(Minute);

        using var lease = await second.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public void A_request_larger_than_the_token_limit_is_rejected_as_impossible()
    {
        using var sut = new SlidingWindowLogRateLimiter(new SlidingWindowLogOptions { TokenLimit = 100 }, FakeClock.Create());

        Assert.Throws<ArgumentOutOfRangeException>(() => sut.AttemptAcquire(101));
    }

    [Fact]
    public void Acquisitions_within_one_granularity_share_one_log_entry()
    {
        var time = FakeClock.Create();
        using var sut = new SlidingWindowLogRateLimiter(new SlidingWindowLogOptions { RequestLimit = 1_000_000, TokenLimit = 1_000_000_000 }, time);

        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(sut.AttemptAcquire(10).IsAcquired);
            if (i % 1_000 == 999)
            {
                time.Advance(TimeSpan.FromMilliseconds(9)); // 90 ms in all: still within the 100 ms granularity of a 60 s window.
            }
        }

        Assert.Equal(1, sut.LogCount);
        var state = sut.GetWindowState();
        Assert.Equal(1_000_000 - 10_000, state.RemainingRequests);
        Assert.Equal(1_000_000_000 - 100_000, state.RemainingTokens);

        // A minute of steady traffic keeps at most window / granularity entries, not one per request.
        for (var i = 0; i < 6_000; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            Assert.True(sut.AttemptAcquire(1).IsAcquired);
        }

        Assert.InRange(sut.LogCount, 1, SlidingWindowLogRateLimiter.GranularityDivisor + 1);
    }

    [Fact]
    public void A_coalesced_entry_holds_its_permits_until_its_last_admission_leaves_the_window()
    {
        var time = FakeClock.Create();
        using var sut = new SlidingWindowLogRateLimiter(new SlidingWindowLogOptions { RequestLimit = 2 }, time);
        Assert.True(sut.AttemptAcquire(1).IsAcquired);
        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.True(sut.AttemptAcquire(1).IsAcquired);
        Assert.Equal(1, sut.LogCount);

        // At the first admission + window the second admission is still within its window: nothing may be freed yet.
        time.Advance(Minute - TimeSpan.FromMilliseconds(50));
        using var early = sut.AttemptAcquire(1);
        Assert.False(early.IsAcquired);
        Assert.True(early.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(50), retryAfter);
        Assert.Equal(0, sut.GetWindowState().RemainingRequests);

        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.True(sut.AttemptAcquire(1).IsAcquired);
        Assert.True(sut.AttemptAcquire(1).IsAcquired);
    }

    [Fact]
    public void An_acquisition_a_granularity_after_the_first_of_an_entry_opens_a_new_one()
    {
        var time = FakeClock.Create();
        using var sut = new SlidingWindowLogRateLimiter(new SlidingWindowLogOptions { RequestLimit = 100 }, time);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(sut.AttemptAcquire(1).IsAcquired);
            time.Advance(TimeSpan.FromMilliseconds(10)); // Each entry keeps to 100 ms from its first admission, not from its last.
        }

        Assert.Equal(2, sut.LogCount);
        time.Advance(Minute - TimeSpan.FromMilliseconds(110));
        Assert.Equal(100 - 10, sut.GetWindowState().RemainingRequests); // The first entry (first 10 admissions, 0..90 ms) has left.
    }

    [Fact]
    public void Corrections_of_leases_sharing_an_entry_each_apply_their_own_difference()
    {
        var time = FakeClock.Create();
        using var sut = new SlidingWindowLogRateLimiter(new SlidingWindowLogOptions { RequestLimit = 10, TokenLimit = 1_000 }, time);
        var a = sut.AttemptAcquire(100);
        var b = sut.AttemptAcquire(100);
        Assert.Equal(1, sut.LogCount);

        sut.Correct(a, 30);
        sut.Correct(b, 250);
        var state = sut.GetWindowState();
        Assert.Equal(1_000 - 280, state.RemainingTokens);
        Assert.Equal(10 - 2, state.RemainingRequests);

        sut.Correct(a, 0, countRequest: false); // A second correction moves by the difference to the previous one.
        state = sut.GetWindowState();
        Assert.Equal(1_000 - 250, state.RemainingTokens);
        Assert.Equal(10 - 1, state.RemainingRequests);
        Assert.Equal(Minute, state.TokensResetIn);

        time.Advance(Minute);
        using var c = sut.AttemptAcquire(500);
        sut.Correct(b, 900); // b's entry has left the window: this changes nothing.
        state = sut.GetWindowState();
        Assert.Equal(1_000 - 500, state.RemainingTokens);
        Assert.Equal(10 - 1, state.RemainingRequests);
    }

    private static int Count<T>(List<T> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }
}
