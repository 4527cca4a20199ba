using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Tests.Gateway.Fakes;

namespace CompanyOs.Llm.Tests.Gateway;

/// <summary>The pooled cancellation sources of per-attempt timeouts and total deadlines.</summary>
public sealed class TimeoutSourcesTests
{
    [Fact]
    public void A_source_given_back_on_another_thread_is_reused_without_allocating()
    {
        // An answer from the network ends the call on another thread than it started on: a per-thread spare would be left on
        // that thread, and the next call here would allocate a source and a timer again.
        var sources = new TimeoutSources(TimeProvider.System);
        var first = sources.Start(TimeSpan.FromMinutes(1));
        var other = new Thread(() => sources.Return(first));
        other.Start();
        other.Join();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var again = sources.Start(TimeSpan.FromMinutes(1));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Same(first, again);
        Assert.Equal(0, allocated);
        Assert.False(again.IsCancellationRequested);
        sources.Return(again);
    }

    [Fact]
    public void The_sources_of_32_calls_ending_together_are_all_reused_by_the_next_32()
    {
        // Calls end in bursts (many answers arrive after a garbage collection's pause): every source of the burst is kept,
        // so the next calls take them instead of making a source and a timer each.
        var sources = new TimeoutSources(TimeProvider.System);
        var burst = Enumerable.Range(0, 32).Select(_ => sources.Start(TimeSpan.FromMinutes(1))).ToList();
        foreach (var source in burst)
        {
            sources.Return(source);
        }

        var next = Enumerable.Range(0, 32).Select(_ => sources.Start(TimeSpan.FromMinutes(1))).ToList();

        Assert.Equal(32, next.Intersect(burst, ReferenceEqualityComparer.Instance).Count());
        Assert.All(next, source => Assert.False(source.IsCancellationRequested));
        next.ForEach(sources.Return);
    }

    [Fact]
    public async Task A_reused_source_still_fires_and_a_cancelled_one_is_never_handed_out_again()
    {
        var sources = new TimeoutSources(TimeProvider.System);
        var cancelled = sources.Start(TimeSpan.FromMinutes(1));
        await cancelled.CancelAsync();
        sources.Return(cancelled);
        var kept = sources.Start(TimeSpan.FromMinutes(1));
        sources.Return(kept);

        var reused = sources.Start(TimeSpan.FromMilliseconds(20));

        Assert.Same(kept, reused);
        Assert.NotSame(cancelled, reused);
        await Poll.UntilAsync(() => reused.IsCancellationRequested, "the reused source fired", cancellationToken: TestContext.Current.CancellationToken);
        sources.Return(reused);
        Assert.NotSame(reused, sources.Start(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Sources_on_another_clock_follow_that_clock_and_are_never_kept()
    {
        var time = FakeClock.Create();
        var sources = new TimeoutSources(time);
        var first = sources.Start(TimeSpan.FromSeconds(5));
        sources.Return(first);
        var second = sources.Start(TimeSpan.FromSeconds(5));

        time.Advance(TimeSpan.FromSeconds(5));

        Assert.NotSame(first, second);
        Assert.True(second.IsCancellationRequested);
    }
}
