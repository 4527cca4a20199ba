using System.Diagnostics;

namespace CompanyOs.Emulator.Tests.Harness;

/// <summary>The bounded wait every test project polls with (tests/Shared/Poll.cs): it must give up, never hang.</summary>
public sealed class PollTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_condition_that_never_holds_fails_within_the_bound_naming_what_never_happened()
    {
        var polls = 0;
        var clock = Stopwatch.StartNew();

        var failure = await Record.ExceptionAsync(() => Poll.UntilAsync(
            () => ++polls < 0, "the flag was never set", TimeSpan.FromMilliseconds(300), Ct));

        Assert.NotNull(failure);
        Assert.Contains("the flag was never set", failure.Message, StringComparison.Ordinal);
        Assert.Contains("bound 0.3 s", failure.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"gave up only after {clock.Elapsed}");
        Assert.InRange(polls, 2, 300 / 5 + 2);
    }

    [Fact]
    public async Task Returns_as_soon_as_the_condition_holds()
    {
        var polls = 0;

        await Poll.UntilAsync(() => ++polls == 3, "the third poll", cancellationToken: Ct);

        Assert.Equal(3, polls);
    }

    [Fact]
    public async Task An_asynchronous_condition_is_awaited_each_poll()
    {
        var polls = 0;

        await Poll.UntilAsync(
            async () =>
            {
                await Task.Yield();
                return ++polls == 2;
            },
            "the second poll",
            cancellationToken: Ct);

        Assert.Equal(2, polls);
    }
}
