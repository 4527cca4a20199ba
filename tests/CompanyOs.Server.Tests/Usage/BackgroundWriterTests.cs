using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Server.Hosting;
using CompanyOs.Server.Keys;
using CompanyOs.Server.Tests.Infrastructure;
using CompanyOs.Server.Usage;
using CompanyOs.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Server.Tests.Usage;

/// <summary>
/// The usage log's and the spend ledger's background writers linger after a write, so that what calls record meanwhile goes
/// into one transaction (one fsync, one writer wake-up) instead of one per call; a flush and a graceful stop never wait
/// out the linger and lose nothing. The clock here never moves: a linger ends only when something cuts it short.
/// </summary>
public sealed class BackgroundWriterTests : IAsyncLifetime
{
    // Long enough that the old writer (woken by every call) shows its per-call writes; no assertion depends on it.
    private static readonly TimeSpan WriterChance = TimeSpan.FromMilliseconds(300);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly TestStore _backend = TestStore.Sqlite();
    private ServerStore? _store;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ServerStore Store => _store!;

    public async ValueTask InitializeAsync()
    {
        _store = _backend.Open(_time);
        await _store.InitializeAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Usage_recorded_while_the_writer_lingers_is_one_transaction_a_flush_cuts_the_linger_and_a_stop_writes_the_rest()
    {
        var recorder = new UsageRecorder(Store.Usage, _time, Options.Create(new ServerOptions()), NullLogger<UsageRecorder>.Instance,
            linger: TimeSpan.FromMinutes(1));
        try
        {
            Record(recorder);
            await Poll.UntilAsync(async () => await CallsAsync() == 1, "the first call is written at once", cancellationToken: Ct);

            Record(recorder);
            await Task.Delay(WriterChance, Ct);
            Record(recorder);
            var beforeFlush = await CallsAsync();
            await recorder.FlushAsync(Ct); // the clock never reaches the end of the linger: only the flush ends it

            Assert.Equal(1, beforeFlush);
            Assert.Equal(3, await CallsAsync());
            Assert.Equal(2, recorder.Writes); // the two calls made during the linger went in one transaction

            Record(recorder);
        }
        finally
        {
            await recorder.DisposeAsync();
        }

        Assert.Equal(4, await CallsAsync()); // recorded during a linger, written by the graceful stop
    }

    [Fact]
    public async Task Queuing_a_call_for_the_usage_writer_allocates_nothing_once_its_buffers_have_grown()
    {
        // Records waiting out the linger used to be one object each (plus the queue's segments): every garbage collection in
        // that window found ~a thousand of them alive at full speed and copied them into an older generation.
        var recorder = new UsageRecorder(Store.Usage, _time, Options.Create(new ServerOptions()), NullLogger<UsageRecorder>.Instance,
            linger: TimeSpan.FromMinutes(1));
        const int Calls = 1000, Rounds = 6;
        var context = new LlmCallContext { OrgId = "acme", ApiKeyId = "key_a" };
        var info = new LlmCallInfo
        {
            Provider = "openai", Model = "gpt-4o", Usage = new Microsoft.Extensions.AI.UsageDetails { InputTokenCount = 3, OutputTokenCount = 2 },
            CostUsd = 0.001m,
        };
        try
        {
            // The first rounds grow the double buffer's two halves. Which half a round fills depends on when the writer swaps
            // them, so on a loaded machine a later round may still grow one: the fewest bytes of the later rounds is measured
            // (the old recorder allocated ~120 B per call in every round).
            var allocated = long.MaxValue;
            for (var round = 0; round < Rounds; round++)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                for (var i = 0; i < Calls; i++)
                {
                    recorder.Record(context, info);
                }

                var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
                if (round >= 2)
                {
                    allocated = Math.Min(allocated, bytes);
                }

                await recorder.FlushAsync(Ct);
            }

            Assert.True(allocated < Calls, $"{allocated} bytes allocated for {Calls} calls queued");
        }
        finally
        {
            await recorder.DisposeAsync();
        }

        Assert.Equal(Rounds * Calls, await CallsAsync());
    }

    [Fact]
    public async Task Usage_the_store_refuses_is_kept_with_what_is_recorded_meanwhile_and_written_once_when_it_accepts_again()
    {
        var recorder = new UsageRecorder(Store.Usage, _time, Options.Create(new ServerOptions()), NullLogger<UsageRecorder>.Instance,
            linger: TimeSpan.Zero);
        try
        {
            await MoveUsageTableAsync("usage_records", "usage_records_away"); // every append fails: no such table
            Record(recorder);
            Record(recorder);
            await Poll.UntilAsync(() => recorder.Writes >= 1, "the writer tried and failed", cancellationToken: Ct);
            Record(recorder); // joins the batch kept for the retry

            await MoveUsageTableAsync("usage_records_away", "usage_records");
            // The retry interval, advanced on every poll: the writer counts its failed write before it starts the retry's
            // delay, so one advance made in between would come before the delay's timer and leave the writer waiting.
            await Poll.UntilAsync(
                async () =>
                {
                    _time.Advance(TimeSpan.FromSeconds(1));
                    return await CallsAsync() == 3;
                },
                "the kept calls are written once the store accepts",
                cancellationToken: Ct);
            Record(recorder);
            await recorder.FlushAsync(Ct);
        }
        finally
        {
            await recorder.DisposeAsync();
        }

        Assert.Equal(4, await CallsAsync()); // none lost, none written twice
    }

    [Fact]
    public async Task A_stop_while_the_store_is_down_does_not_wait_out_the_retry_interval()
    {
        // The clock never moves: before the fix the writer sat in the retry interval's delay and the stop never completed.
        var recorder = new UsageRecorder(Store.Usage, _time, Options.Create(new ServerOptions()), NullLogger<UsageRecorder>.Instance,
            linger: TimeSpan.Zero);
        var stopped = false;
        try
        {
            await MoveUsageTableAsync("usage_records", "usage_records_away"); // every append fails: no such table
            Record(recorder);
            await Poll.UntilAsync(() => recorder.Writes >= 1, "the writer tried and failed", cancellationToken: Ct);
            // Give the writer the time to finish its failed attempt and enter the retry wait (a stop seen before that wait
            // never reaches it); no assertion depends on how long this takes.
            await Task.Delay(WriterChance, Ct);
            await recorder.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct);
            stopped = true;
        }
        finally
        {
            await MoveUsageTableAsync("usage_records_away", "usage_records");
            if (!stopped)
            {
                _time.Advance(TimeSpan.FromSeconds(5)); // let the old writer out of its delay so the test host can end
            }
        }
    }

    [Fact]
    public async Task A_flush_while_the_store_is_down_gets_an_attempt_without_waiting_out_the_retry_interval()
    {
        var recorder = new UsageRecorder(Store.Usage, _time, Options.Create(new ServerOptions()), NullLogger<UsageRecorder>.Instance,
            linger: TimeSpan.Zero);
        try
        {
            await MoveUsageTableAsync("usage_records", "usage_records_away");
            Record(recorder);
            await Poll.UntilAsync(() => recorder.Writes >= 1, "the writer tried and failed", cancellationToken: Ct);
            await MoveUsageTableAsync("usage_records_away", "usage_records");
            // The store is back; the clock has not moved, so only a flush's nudge can end the retry wait. A first flush may be
            // answered by the failed attempt still in progress (a flush waits for an attempt); a second one cannot be.
            for (var flush = 0; flush < 2 && await CallsAsync() == 0; flush++)
            {
                await recorder.FlushAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
            }

            Assert.Equal(1, await CallsAsync());
        }
        finally
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            await recorder.DisposeAsync();
        }
    }

    [Fact]
    public async Task Settlements_made_while_the_spend_writer_lingers_are_one_transaction_and_a_stop_writes_them()
    {
        var check = new BudgetCheck(new BudgetScope(BudgetScopeKind.ApiKey, "key_linger"), new BudgetLimit(MaxUsd: 100m));
        var spend = new DurableSpendStore(Store.Spend, NullLogger<DurableSpendStore>.Instance, _time, linger: TimeSpan.FromMinutes(1));
        try
        {
            await SettleAsync(spend, check);
            await Poll.UntilAsync(async () => (await StoredAsync(check)).Usd == 1m, "the first settlement is written at once", cancellationToken: Ct);

            await SettleAsync(spend, check);
            await Task.Delay(WriterChance, Ct);
            await SettleAsync(spend, check);

            Assert.Equal(1m, (await StoredAsync(check)).Usd); // lingering: nothing written yet
            Assert.Equal(1, spend.Writes);
            Assert.Equal(3m, (await spend.GetSpentAsync(check.Scope, Ct)).Usd); // but it counts at once
        }
        finally
        {
            await spend.DisposeAsync();
        }

        Assert.Equal(new SpendAmount(3m, 30), await StoredAsync(check));
    }

    [Fact]
    public async Task A_reservation_on_a_stale_value_does_not_wait_for_a_ledger_write_held_up_by_the_disk()
    {
        var check = new BudgetCheck(new BudgetScope(BudgetScopeKind.ApiKey, "key_slow_disk"), new BudgetLimit(MaxUsd: 100m));
        var spend = new DurableSpendStore(Store.Spend, NullLogger<DurableSpendStore>.Instance, _time, linger: TimeSpan.Zero);
        try
        {
            await SettleAsync(spend, check); // reads the ledger (nothing spent), then settles 1 USD: written at once
            await Poll.UntilAsync(async () => (await StoredAsync(check)).Usd == 1m, "the first settlement is written", cancellationToken: Ct);

            // Another writer holds the database: the spend writer's next transaction waits (as behind a slow fsync).
            await using var blocker = await Store.Database.OpenAsync(Ct);
            await using (var begin = blocker.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE;";
                await begin.ExecuteNonQueryAsync(Ct);
            }

            await SettleAsync(spend, check);
            await Poll.UntilAsync(() => spend.Writes == 2, "the spend writer is inside its second write", cancellationToken: Ct);
            _time.Advance(DurableSpendStore.RefreshAfter); // the value read is stale now: it is re-read in the background

            var reserved = await spend.TryReserveAsync([check], new SpendAmount(1m, 10), Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);

            Assert.True(reserved.Granted);
            await using (var rollback = blocker.CreateCommand())
            {
                rollback.CommandText = "ROLLBACK;";
                await rollback.ExecuteNonQueryAsync(Ct);
            }

            await spend.SettleAsync([check], new SpendAmount(1m, 10), default, Ct);
            await Poll.UntilAsync(async () => (await StoredAsync(check)).Usd == 2m, "the held-up write lands once the database is free", cancellationToken: Ct);
        }
        finally
        {
            await spend.DisposeAsync();
        }
    }

    [Fact]
    public async Task Spend_settled_by_another_instance_counts_after_the_background_re_read_of_a_stale_value()
    {
        var check = new BudgetCheck(new BudgetScope(BudgetScopeKind.ApiKey, "key_other_instance"), new BudgetLimit(MaxUsd: 1m));
        var small = new SpendAmount(0.2m, 1);
        await using var spend = new DurableSpendStore(Store.Spend, NullLogger<DurableSpendStore>.Instance, _time, linger: TimeSpan.Zero);
        Assert.True((await spend.TryReserveAsync([check], small, Ct)).Granted); // reads the ledger: nothing spent
        await spend.SettleAsync([check], small, default, Ct);

        await Store.Spend.AddAsync([check.Scope], new SpendAmount(0.9m, 1), Ct); // what another instance settles
        _time.Advance(DurableSpendStore.RefreshAfter);
        ReservationResult last = default;
        await Poll.UntilAsync(async () =>
        {
            last = await spend.TryReserveAsync([check], small, Ct);
            if (last.Granted)
            {
                await spend.SettleAsync([check], small, default, Ct); // on the stale value while the re-read runs
            }

            return !last.Granted;
        }, "the other instance's spend counts", cancellationToken: Ct);

        Assert.Equal(new SpendAmount(0.9m, 1), last.Committed);
    }

    private void Record(UsageRecorder recorder) =>
        recorder.Record(new LlmCallContext { OrgId = "acme", ApiKeyId = "key_a" },
            new LlmCallInfo { Provider = "openai", Model = "gpt-4o", Usage = new Microsoft.Extensions.AI.UsageDetails { InputTokenCount = 3, OutputTokenCount = 2 }, CostUsd = 0.001m });

    private async Task MoveUsageTableAsync(string from, string to)
    {
        await using var connection = await Store.Database.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"ALTER TABLE {from} RENAME TO {to};";
        await command.ExecuteNonQueryAsync(Ct);
    }

    private async Task<long> CallsAsync() => (await Store.Usage.SummarizeAsync("acme", null, null, Ct)).Sum(r => r.Calls);

    private static async Task SettleAsync(DurableSpendStore spend, BudgetCheck check)
    {
        Assert.True((await spend.TryReserveAsync([check], new SpendAmount(1m, 10), Ct)).Granted);
        await spend.SettleAsync([check], new SpendAmount(1m, 10), new SpendAmount(1m, 10), Ct);
    }

    private async Task<SpendAmount> StoredAsync(BudgetCheck check) => (await Store.Spend.GetAsync([check.Scope], Ct))[0];
}
