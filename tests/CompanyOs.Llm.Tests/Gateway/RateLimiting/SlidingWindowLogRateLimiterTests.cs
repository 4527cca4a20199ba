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

    private static int Count<T>(List<T> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }
}
