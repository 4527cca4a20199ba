using System.Threading.RateLimiting;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Redis;

namespace CompanyOs.Llm.Tests.Redis;

/// <summary>
/// What every <see cref="WindowRateLimiter"/> does, in-process or shared through Redis, on the real clock: cases that need
/// the window to move on use a one-second window and poll.
/// </summary>
public abstract class WindowRateLimiterContractTests : IDisposable
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly List<WindowRateLimiter> _created = [];

    protected abstract WindowRateLimiter CreateCore(SlidingWindowLogOptions options);

    private WindowRateLimiter Create(SlidingWindowLogOptions options)
    {
        var limiter = CreateCore(options);
        _created.Add(limiter);
        return limiter;
    }

    [Fact]
    public async Task Requests_beyond_the_limit_are_refused_with_a_retry_after_within_the_window()
    {
        var sut = Create(new SlidingWindowLogOptions { RequestLimit = 3 });
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await sut.AttemptAcquireAsync(1, TestContext.Current.CancellationToken)).IsAcquired, $"request {i + 1}");
        }

        using var refused = await sut.AttemptAcquireAsync(1, TestContext.Current.CancellationToken);

        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(30), Minute);
    }

    [Fact]
    public async Task Tokens_beyond_the_limit_are_refused()
    {
        var sut = Create(new SlidingWindowLogOptions { TokenLimit = 1_000 });
        Assert.True((await sut.AttemptAcquireAsync(600, TestContext.Current.CancellationToken)).IsAcquired);
        Assert.True((await sut.AttemptAcquireAsync(400, TestContext.Current.CancellationToken)).IsAcquired);

        Assert.False((await sut.AttemptAcquireAsync(1, TestContext.Current.CancellationToken)).IsAcquired);
        Assert.True((await sut.AttemptAcquireAsync(0, TestContext.Current.CancellationToken)).IsAcquired);
    }

    [Fact]
    public async Task A_correction_frees_the_tokens_an_estimate_held()
    {
        var sut = Create(new SlidingWindowLogOptions { TokenLimit = 1_000 });
        using var estimated = await sut.AttemptAcquireAsync(800, TestContext.Current.CancellationToken);
        Assert.False((await sut.AttemptAcquireAsync(800, TestContext.Current.CancellationToken)).IsAcquired);

        sut.Correct(estimated, 150);

        // The correction is applied asynchronously by a shared limiter: poll for it.
        await Poll.UntilAsync(async () => (await sut.AttemptAcquireAsync(800, TestContext.Current.CancellationToken)).IsAcquired, "800 tokens fit after the correction to 150", cancellationToken: TestContext.Current.CancellationToken);
        Assert.False((await sut.AttemptAcquireAsync(100, TestContext.Current.CancellationToken)).IsAcquired);
    }

    [Fact]
    public async Task A_refused_request_fits_once_the_window_has_moved_on()
    {
        var sut = Create(new SlidingWindowLogOptions { RequestLimit = 2, Window = TimeSpan.FromSeconds(1) });
        Assert.True((await sut.AttemptAcquireAsync(1, TestContext.Current.CancellationToken)).IsAcquired);
        Assert.True((await sut.AttemptAcquireAsync(1, TestContext.Current.CancellationToken)).IsAcquired);
        Assert.False((await sut.AttemptAcquireAsync(1, TestContext.Current.CancellationToken)).IsAcquired);

        await Poll.UntilAsync(async () => (await sut.AttemptAcquireAsync(1, TestContext.Current.CancellationToken)).IsAcquired, "a request admitted after the window moved on", cancellationToken: TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_waiting_caller_is_admitted_when_the_window_moves_on()
    {
        var sut = Create(new SlidingWindowLogOptions { RequestLimit = 1, Window = TimeSpan.FromSeconds(1), QueueLimit = 5 });
        Assert.True((await sut.AttemptAcquireAsync(1, TestContext.Current.CancellationToken)).IsAcquired);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));

        var first = sut.AcquireAsync(1, timeout.Token).AsTask();
        var second = sut.AcquireAsync(1, timeout.Token).AsTask();

        Assert.True((await first).IsAcquired);
        Assert.True((await second).IsAcquired);
    }

    [Fact]
    public async Task With_no_queue_a_wait_is_refused_at_once()
    {
        var sut = Create(new SlidingWindowLogOptions { RequestLimit = 1, QueueLimit = 0 });
        Assert.True((await sut.AcquireAsync(1, TestContext.Current.CancellationToken)).IsAcquired);

        using var refused = await sut.AcquireAsync(1, TestContext.Current.CancellationToken);

        Assert.False(refused.IsAcquired);
    }

    [Fact]
    public async Task A_cancelled_wait_throws()
    {
        var sut = Create(new SlidingWindowLogOptions { RequestLimit = 1, QueueLimit = 5 });
        Assert.True((await sut.AttemptAcquireAsync(1, TestContext.Current.CancellationToken)).IsAcquired);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await sut.AcquireAsync(1, cancel.Token));
    }

    [Fact]
    public async Task The_window_state_reports_what_the_window_holds()
    {
        var sut = Create(new SlidingWindowLogOptions { RequestLimit = 5, TokenLimit = 1_000 });
        Assert.True((await sut.AttemptAcquireAsync(100, TestContext.Current.CancellationToken)).IsAcquired);
        Assert.True((await sut.AttemptAcquireAsync(50, TestContext.Current.CancellationToken)).IsAcquired);

        var state = sut.GetWindowState();

        Assert.Equal((5L, 2L, 1_000L, 150L), (state.RequestLimit, state.Requests, state.TokenLimit, state.Tokens));
        Assert.Equal((3L, 850L), (state.RemainingRequests, state.RemainingTokens));
        Assert.InRange(state.RequestsResetIn, TimeSpan.FromSeconds(30), Minute);
    }

    [Fact]
    public void More_tokens_than_the_limit_can_never_be_admitted()
    {
        var sut = Create(new SlidingWindowLogOptions { TokenLimit = 100 });

        Assert.Throws<ArgumentOutOfRangeException>(() => sut.AttemptAcquire(101));
    }

    public void Dispose()
    {
        foreach (var limiter in _created)
        {
            limiter.Dispose();
        }

        DisposeCore();
        GC.SuppressFinalize(this);
    }

    protected virtual void DisposeCore()
    {
    }
}

public sealed class InProcessWindowRateLimiterContractTests : WindowRateLimiterContractTests
{
    protected override WindowRateLimiter CreateCore(SlidingWindowLogOptions options) => new SlidingWindowLogRateLimiter(options, TimeProvider.System);
}

public sealed class RedisWindowRateLimiterContractTests : WindowRateLimiterContractTests
{
    private readonly RedisConnection _redis = TestRedis.Connect(TestRedis.NewPrefix());
    private int _count;

    protected override WindowRateLimiter CreateCore(SlidingWindowLogOptions options) =>
        new RedisWindowRateLimiter(_redis, "contract-" + Interlocked.Increment(ref _count), options);

    protected override void DisposeCore() => _redis.Dispose();
}
