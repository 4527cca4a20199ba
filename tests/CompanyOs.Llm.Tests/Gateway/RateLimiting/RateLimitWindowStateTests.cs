using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Tests.Gateway.Fakes;

namespace CompanyOs.Llm.Tests.Gateway.RateLimiting;

/// <summary>The window state behind the server's x-ratelimit-* headers: what is left and when the window is empty again.</summary>
public sealed class RateLimitWindowStateTests
{
    [Fact]
    public void The_state_counts_the_current_window_and_resets_when_its_newest_entry_leaves_it()
    {
        var time = FakeClock.Create();
        using var sut = new SlidingWindowLogRateLimiter(new SlidingWindowLogOptions { RequestLimit = 5, TokenLimit = 1_000 }, time);

        var empty = sut.GetWindowState();
        using var first = sut.AttemptAcquire(300);
        time.Advance(TimeSpan.FromSeconds(20));
        using var second = sut.AttemptAcquire(100);
        sut.Correct(second, 50);
        var busy = sut.GetWindowState();
        time.Advance(TimeSpan.FromSeconds(45));
        var oneLeft = sut.GetWindowState();
        time.Advance(TimeSpan.FromSeconds(15));
        var emptyAgain = sut.GetWindowState();

        Assert.Equal(new RateLimitWindowState(5, 0, 1_000, 0, TimeSpan.Zero, TimeSpan.Zero), empty);
        Assert.Equal(3, busy.RemainingRequests);
        Assert.Equal(650, busy.RemainingTokens);
        Assert.Equal(TimeSpan.FromSeconds(60), busy.RequestsResetIn);
        Assert.Equal(TimeSpan.FromSeconds(60), busy.TokensResetIn);
        Assert.Equal(4, oneLeft.RemainingRequests);
        Assert.Equal(950, oneLeft.RemainingTokens);
        Assert.Equal(TimeSpan.FromSeconds(15), oneLeft.RequestsResetIn);
        Assert.Equal(5, emptyAgain.RemainingRequests);
        Assert.Equal(TimeSpan.Zero, emptyAgain.TokensResetIn);
    }

    [Fact]
    public void When_the_newest_entry_is_corrected_to_nothing_the_reset_comes_from_the_newest_that_still_counts()
    {
        var time = FakeClock.Create();
        using var sut = new SlidingWindowLogRateLimiter(new SlidingWindowLogOptions { RequestLimit = 5, TokenLimit = 1_000 }, time);
        using var first = sut.AttemptAcquire(300);
        time.Advance(TimeSpan.FromSeconds(20));
        using var second = sut.AttemptAcquire(100);
        time.Advance(TimeSpan.FromSeconds(10));
        using var third = sut.AttemptAcquire(0);

        sut.Correct(third, 0, countRequest: false); // the newest: never sent
        sut.Correct(second, 0); // counts a request, no tokens
        var state = sut.GetWindowState();
        sut.Correct(third, 40); // counts again, tokens too
        var corrected = sut.GetWindowState();

        Assert.Equal(TimeSpan.FromSeconds(50), state.RequestsResetIn);
        Assert.Equal(TimeSpan.FromSeconds(30), state.TokensResetIn);
        Assert.Equal(TimeSpan.FromSeconds(60), corrected.RequestsResetIn);
        Assert.Equal(TimeSpan.FromSeconds(60), corrected.TokensResetIn);
    }

    [Fact]
    public void A_limiter_without_a_token_limit_reports_none()
    {
        using var sut = new SlidingWindowLogRateLimiter(new SlidingWindowLogOptions { RequestLimit = 2 }, FakeClock.Create());
        using var lease = sut.AttemptAcquire(0);

        var state = sut.GetWindowState();

        Assert.Equal(1, state.RemainingRequests);
        Assert.Null(state.TokenLimit);
        Assert.Null(state.RemainingTokens);
    }
}
