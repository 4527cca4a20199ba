namespace CompanyOs.Events.Tests.Contract;

public abstract partial class EventStoreContract
{
    [Fact]
    public async Task Eight_concurrent_writers_on_one_stream_exactly_one_wins_each_version()
    {
        var stores = new[] { Store, await OpenAnotherAsync() };
        if (!InstancesShareStorage)
        {
            stores = [Store, Store];
        }

        const int writers = 8;
        const int versions = 12;
        for (var version = 0; version < versions; version++)
        {
            var expected = version == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(version - 1);
            using var start = new SemaphoreSlim(0);
            var attempts = Enumerable.Range(0, writers).Select(async w =>
            {
                await start.WaitAsync(Ct);
                try
                {
                    await stores[w % 2].AppendAsync("contended", expected, [Numbered((version * 100) + w)], Ct);
                    return true;
                }
                catch (ConcurrencyException ex)
                {
                    Assert.Equal(version, ex.Actual);
                    return false;
                }
            }).ToList();
            start.Release(writers);
            var outcomes = await Task.WhenAll(attempts);
            Assert.Equal(1, outcomes.Count(won => won));
        }

        var events = await ReadStream(Store, "contended");
        Assert.Equal(Enumerable.Range(0, versions).Select(v => (long)v), events.Select(e => e.Version));
        Assert.All(events, e => Assert.Equal(e.Version, N(e) / 100));
        AssertContiguous(await ReadAll(Store));
    }

    [Fact]
    public async Task Concurrent_writers_on_different_streams_all_succeed_with_unique_contiguous_positions()
    {
        var other = InstancesShareStorage ? await OpenAnotherAsync() : Store;
        const int writers = 8;
        const int perWriter = 25;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(
            async () =>
            {
                var store = w % 2 == 0 ? Store : other;
                for (var i = 0; i < perWriter; i++)
                {
                    var expected = i == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(i - 1);
                    await store.AppendAsync($"writer-{w}", expected, [Numbered(i)], Ct);
                }
            },
            Ct)));

        var all = await ReadAll(Store);
        Assert.Equal(writers * perWriter, all.Count);
        AssertContiguous(all);
        for (var w = 0; w < writers; w++)
        {
            Assert.Equal(Enumerable.Range(0, perWriter), (await ReadStream(Store, $"writer-{w}")).Select(N));
        }
    }

    [Fact]
    public async Task Readers_during_writes_never_see_positions_go_backwards_or_gaps_that_later_fill()
    {
        var other = InstancesShareStorage ? await OpenAnotherAsync() : Store;

        // Writers pause a third of the way in until the reader has read since then, so some reads surely overlap the writes
        // (a fast store could otherwise finish every write before the reader's first look).
        var midway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readMidway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(
            async () =>
            {
                for (var i = 0; i < 30; i++)
                {
                    if (i == 10)
                    {
                        midway.TrySetResult();
                        await readMidway.Task.WaitAsync(Ct);
                    }

                    var batch = Enumerable.Range(0, 1 + (i % 3)).Select(k => Numbered((i * 10) + k)).ToArray();
                    await (w % 2 == 0 ? Store : other).AppendAsync($"rw-{w % 3}", ExpectedVersion.Any, batch, Ct);
                }
            },
            Ct)).ToArray();

        var seen = 0L;
        var sawPartial = false;
        var writing = Task.WhenAll(writers);
        var reading = System.Diagnostics.Stopwatch.StartNew();
        for (var reads = 0; !writing.IsCompleted; reads++)
        {
            // Bounded: writers that stall must fail the test, not hang the session.
            Assert.True(reads < 100_000 && reading.Elapsed < TimeSpan.FromSeconds(60),
                $"the writers did not finish within {reads} reads and {reading.Elapsed.TotalSeconds:0} s");
            var readSinceMidway = midway.Task.IsCompleted;

            // Incremental reads must continue exactly where the previous one ended, and a full read is always gap-free.
            var fresh = await ReadAll(Store, from: seen);
            AssertContiguous(fresh, seen + 1);
            seen += fresh.Count;
            AssertContiguous(await ReadAll(Store, max: 50));
            sawPartial |= seen < 4 * 60;
            if (readSinceMidway)
            {
                readMidway.TrySetResult();
            }
        }

        await writing;
        var all = await ReadAll(Store);
        AssertContiguous(all);
        Assert.Equal(4 * 60, all.Count);
        Assert.True(sawPartial, "no read overlapped the writes");
    }

    [Fact]
    public async Task A_cancelled_append_writes_nothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Store.AppendAsync("s", ExpectedVersion.Any, [Numbered(1)], cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Store.ReadAllAsync(cancellationToken: cancelled.Token).ToListAsync(cancelled.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Store.ReadStreamAsync("s", cancellationToken: cancelled.Token).ToListAsync(cancelled.Token).AsTask());

        Assert.Empty(await ReadAll(Store));
    }

    [Fact]
    public async Task Cancelling_a_read_midway_stops_it()
    {
        var store = await OpenAnotherAsync(new EventStoreOptions { ReadPageSize = 2 });
        await store.AppendAsync("s", ExpectedVersion.Any, [.. Enumerable.Range(0, 10).Select(i => Numbered(i))], Ct);
        using var cts = new CancellationTokenSource();
        var read = new List<int>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var e in store.ReadStreamAsync("s", 0, cts.Token))
            {
                read.Add(N(e));
                if (read.Count == 3)
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.InRange(read.Count, 3, 4);
    }
}
