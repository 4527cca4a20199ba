using System.Text.Json;
using CompanyOs.Events.Sqlite;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Tests.Sqlite;

/// <summary>
/// Group commit: appends that arrive while a commit is in progress are committed together, one transaction and one fsync,
/// each still checked on its own (expected version, idempotency) and each in its own savepoint, so one failing append does
/// not fail the others. Appends are forced into one group by holding SQLite's write lock from another connection while
/// they queue up behind the append that is waiting for it.
/// </summary>
public sealed class SqliteGroupCommitTests : SqliteStoreFixture
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Concurrent_appends_with_the_same_expected_version_in_one_group_have_exactly_one_winner()
    {
        var groupsBefore = Store.Writer.CommittedGroups;
        var results = await InOneGroupAsync(Enumerable.Range(0, 8).Select(_ => (Func<Task<AppendResult>>)(() =>
            Store.AppendAsync("race", ExpectedVersion.NoStream, [Event("first")], Ct))).ToArray());

        Assert.Equal(1, results.Count(r => r.IsCompletedSuccessfully));
        Assert.All(results.Where(r => !r.IsCompletedSuccessfully), r => Assert.IsType<ConcurrencyException>(r.Exception!.InnerException));
        Assert.Equal(groupsBefore + 2, Store.Writer.CommittedGroups); // the blocked append's group, then the eight together

        results = await InOneGroupAsync(Enumerable.Range(0, 8).Select(_ => (Func<Task<AppendResult>>)(() =>
            Store.AppendAsync("race", ExpectedVersion.Exactly(0), [Event("second")], Ct))).ToArray());

        Assert.Equal(1, results.Count(r => r.IsCompletedSuccessfully));
        var stream = await Store.ReadStreamAsync("race", cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal([(0L, "first"), (1L, "second")], stream.Select(e => (e.Version, e.Type)));
    }

    [Fact]
    public async Task Sixteen_callers_racing_on_one_stream_win_exactly_once_per_version()
    {
        const int Rounds = 20;
        for (var round = 0; round < Rounds; round++)
        {
            var expected = round == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(round - 1);
            var attempts = Enumerable.Range(0, 16).Select(_ => Task.Run(() => Store.AppendAsync("contended", expected, [Event("step")], Ct), Ct)).ToArray();
            await Task.WhenAll(attempts).ContinueWith(_ => { }, Ct, TaskContinuationOptions.None, TaskScheduler.Default);

            Assert.Equal(1, attempts.Count(a => a.IsCompletedSuccessfully));
            Assert.All(attempts.Where(a => !a.IsCompletedSuccessfully), a => Assert.IsType<ConcurrencyException>(a.Exception!.InnerException));
        }

        var versions = await Store.ReadStreamAsync("contended", cancellationToken: Ct).Select(e => e.Version).ToListAsync(Ct);
        Assert.Equal(Enumerable.Range(0, Rounds).Select(v => (long)v), versions);
    }

    [Fact]
    public async Task An_append_the_database_refuses_is_undone_alone_and_the_rest_of_its_group_is_committed()
    {
        // A trigger refuses one event type: the poisoned append's first event is inserted before its second is refused.
        CreateTrigger(PoisonedEvents);

        var groupsBefore = Store.Writer.CommittedGroups;
        var appends = new List<Func<Task<AppendResult>>>();
        for (var i = 0; i < 3; i++)
        {
            var stream = $"good-{i}";
            appends.Add(() => Store.AppendAsync(stream, ExpectedVersion.NoStream, [Event("ok"), Event("ok")], Ct));
        }

        appends.Insert(1, () => Store.AppendAsync("poisoned", ExpectedVersion.Any, [Event("ok"), Event("test.poison")], Ct));
        var results = await InOneGroupAsync([.. appends]);

        Assert.Equal(groupsBefore + 2, Store.Writer.CommittedGroups);
        var error = Assert.IsType<EventStoreException>(results[1].Exception!.InnerException);
        Assert.Contains("poisoned event", error.Message, StringComparison.Ordinal);
        Assert.All(results.Where((_, i) => i != 1), r => Assert.True(r.IsCompletedSuccessfully, r.Exception?.ToString()));
        Assert.Null(await Store.GetStreamVersionAsync("poisoned", Ct));

        // Nothing of the refused append is stored and positions stay gap-free: 1 (the blocked append) + 3 × 2.
        var all = await Store.ReadAllAsync(cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal(Enumerable.Range(1, 7).Select(p => (long)p), all.Select(e => e.Position));
        Assert.DoesNotContain(all, e => e.StreamId == "poisoned");
        Assert.Equal([6L, 7L], all.Where(e => e.StreamId == "good-2").Select(e => e.Position));
    }

    [Fact]
    public async Task A_lone_one_event_append_refused_after_its_event_row_was_inserted_stores_nothing()
    {
        // A lone one-event append runs without a savepoint: here its event row is inserted and the stream row refused, so
        // the whole transaction must be rolled back, taking the event row with it.
        CreateTrigger(RefusedStream);

        var error = await Assert.ThrowsAsync<EventStoreException>(() => Store.AppendAsync("refused", ExpectedVersion.NoStream, [Event("ok")], Ct));
        Assert.Contains("refused stream", error.Message, StringComparison.Ordinal);
        Assert.Null(await Store.GetStreamVersionAsync("refused", Ct));
        Assert.Empty(await Store.ReadAllAsync(cancellationToken: Ct).ToListAsync(Ct));

        // The writer goes on, and the refused append holds no position.
        Assert.Equal(new AppendResult(0, 1), await Store.AppendAsync("fine", ExpectedVersion.NoStream, [Event("ok")], Ct));
        Assert.Equal(new AppendResult(1, 2), await Store.AppendAsync("fine", ExpectedVersion.Exactly(0), [Event("ok")], Ct));
    }

    [Fact]
    public async Task Retries_in_a_group_are_answered_with_the_stored_result_and_only_new_events_are_written()
    {
        var stored = new[] { Event("a"), Event("b") };
        var original = await Store.AppendAsync("retried", ExpectedVersion.NoStream, stored, Ct);
        var fresh = Event("c");

        var results = await InOneGroupAsync(
            () => Store.AppendAsync("retried", ExpectedVersion.NoStream, stored, Ct),            // a full retry: stale expected version is fine
            () => Store.AppendAsync("retried", ExpectedVersion.Exactly(1), [stored[1], fresh], Ct), // a partial retry: only c is new
            () => Store.AppendAsync("retried", ExpectedVersion.Exactly(1), [Event("d")], Ct));      // stale after c was written

        Assert.Equal(original, await results[0]);
        Assert.Equal(2, (await results[1]).NextExpectedVersion);
        Assert.IsType<ConcurrencyException>(results[2].Exception!.InnerException);
        var stream = await Store.ReadStreamAsync("retried", cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal(["a", "b", "c"], stream.Select(e => e.Type));
        Assert.Equal(fresh.EventId, stream[2].EventId);
    }

    [Fact]
    public async Task A_group_rolled_back_as_a_whole_leaves_no_remembered_version_even_when_another_writer_fills_its_positions()
    {
        // The writer remembers each stream's version with the head it belongs to. Here a group's first append (to "s") is
        // remembered, then its second ends the transaction (RAISE(ROLLBACK)): the whole group is rolled back. Another writer
        // then takes the position "s" had, so the head the writer remembered is the file's head again; "s" is still at 0.
        await Store.AppendAsync("s", ExpectedVersion.NoStream, [Event("ok")], Ct);
        CreateTrigger(DoomedGroup);

        var results = await InOneGroupAsync(
            () => Store.AppendAsync("s", ExpectedVersion.Any, [Event("lost")], Ct),
            () => Store.AppendAsync("doomed", ExpectedVersion.NoStream, [Event("ok")], Ct));
        Assert.All(results, r => Assert.Contains("doomed group", r.Exception!.InnerException!.Message, StringComparison.Ordinal));
        Assert.Equal(0L, await Store.GetStreamVersionAsync("s", Ct));

        var position = (await Store.ReadAllAsync(cancellationToken: Ct).ToListAsync(Ct))[^1].Position;
        await using (var other = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = DatabasePath }, cancellationToken: Ct))
        {
            await other.AppendAsync("t", ExpectedVersion.Any, [Event("ok")], Ct);
        }

        Assert.Equal(new AppendResult(1, position + 2), await Store.AppendAsync("s", ExpectedVersion.Any, [Event("ok")], Ct));
        Assert.Equal([0L, 1], await Store.ReadStreamAsync("s", cancellationToken: Ct).Select(e => e.Version).ToListAsync(Ct));
    }

    [Fact]
    public async Task An_append_undone_in_its_group_makes_the_writer_forget_only_what_that_append_wrote()
    {
        // The writer remembers the version of each stream it wrote. An append undone within its group (a conflict; a refused
        // event after its first was inserted) used to make it forget every stream, those of earlier commits and of the rest
        // of the group too, so each of their next appends read the version back from the file.
        CreateTrigger(PoisonedEvents);

        await Store.AppendAsync("earlier", ExpectedVersion.NoStream, [Event("ok")], Ct);
        var results = await InOneGroupAsync(
            () => Store.AppendAsync("a", ExpectedVersion.NoStream, [Event("ok"), Event("ok")], Ct),
            () => Store.AppendAsync("earlier", ExpectedVersion.Exactly(5), [Event("ok")], Ct),
            () => Store.AppendAsync("poisoned", ExpectedVersion.Any, [Event("ok"), Event("test.poison")], Ct),
            () => Store.AppendAsync("b", ExpectedVersion.NoStream, [Event("ok")], Ct));

        Assert.IsType<ConcurrencyException>(results[1].Exception!.InnerException);
        Assert.IsType<EventStoreException>(results[2].Exception!.InnerException);
        Assert.Equal(4, Store.Writer.RememberedStreams); // earlier, the blocked append's stream, a, b — not "poisoned"

        // What is remembered is right: positions 1 (earlier), 2 (blocked), 3-4 (a), 5 (b).
        Assert.Equal(new AppendResult(1, 6), await Store.AppendAsync("earlier", ExpectedVersion.Exactly(0), [Event("ok")], Ct));
        Assert.Equal(new AppendResult(2, 7), await Store.AppendAsync("a", ExpectedVersion.Exactly(1), [Event("ok")], Ct));
        Assert.Equal(new AppendResult(1, 8), await Store.AppendAsync("b", ExpectedVersion.Exactly(0), [Event("ok")], Ct));
        Assert.Equal(new AppendResult(0, 9), await Store.AppendAsync("poisoned", ExpectedVersion.NoStream, [Event("ok")], Ct));
        await Assert.ThrowsAsync<ConcurrencyException>(() => Store.AppendAsync("a", ExpectedVersion.Exactly(1), [Event("ok")], Ct));
    }

    [Fact]
    public async Task A_transaction_rolled_back_makes_the_writer_forget_only_the_streams_it_wrote()
    {
        CreateTrigger(RefusedStream);

        await Store.AppendAsync("earlier", ExpectedVersion.NoStream, [Event("ok")], Ct);
        await Assert.ThrowsAsync<EventStoreException>(() => Store.AppendAsync("refused", ExpectedVersion.NoStream, [Event("ok")], Ct));
        Assert.Equal(new AppendResult(0, 2), await Store.AppendAsync("later", ExpectedVersion.NoStream, [Event("ok")], Ct));

        Assert.Equal(2, Store.Writer.RememberedStreams); // earlier (an earlier commit's) and later
        Assert.Equal(new AppendResult(1, 3), await Store.AppendAsync("earlier", ExpectedVersion.Exactly(0), [Event("ok")], Ct));
        Assert.Null(await Store.GetStreamVersionAsync("refused", Ct));
    }

    /// <summary>
    /// Holds SQLite's write lock, lets one append block on it, queues <paramref name="appends"/> behind it, then releases the
    /// lock: the blocked append commits alone and the queued ones commit together, in order, in the next group. Returns their tasks, completed.
    /// </summary>
    private async Task<Task<AppendResult>[]> InOneGroupAsync(params Func<Task<AppendResult>>[] appends)
    {
        using var blocker = new SqliteConnection($"Data Source={DatabasePath}");
        blocker.Open();
        Execute(blocker, "BEGIN IMMEDIATE");
        var blocked = Task.Run(() => Store.AppendAsync("blocked-" + Guid.NewGuid().ToString("N"), ExpectedVersion.Any, [Event("blocked")], Ct), Ct);
        await WaitUntilAsync(() => Store.Writer.Committing && Store.Writer.Pending == 0, "the first append to wait for the write lock");

        // One after the other, so the group holds them in this order.
        var tasks = new Task<AppendResult>[appends.Length];
        for (var i = 0; i < appends.Length; i++)
        {
            tasks[i] = Task.Run(appends[i], Ct);
            var queued = i + 1;
            await WaitUntilAsync(() => Store.Writer.Pending == queued, $"append {queued} of {appends.Length} to queue up");
        }

        Execute(blocker, "ROLLBACK");
        await blocked;
        await Task.WhenAll(tasks).ContinueWith(_ => { }, Ct, TaskContinuationOptions.None, TaskScheduler.Default);
        return tasks;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(5, Ct);
        }
    }

    // Triggers the tests put on the store's tables: an event type refused (after an append's earlier events went in), a
    // stream refused (after its event row went in), and a stream whose insert rolls back the whole transaction.
    private const string PoisonedEvents = "CREATE TRIGGER test_poison BEFORE INSERT ON events WHEN NEW.type = 'test.poison' BEGIN SELECT RAISE(ABORT, 'poisoned event'); END";
    private const string RefusedStream = "CREATE TRIGGER test_refuse BEFORE INSERT ON streams WHEN NEW.stream_id = 'refused' BEGIN SELECT RAISE(ABORT, 'refused stream'); END";
    private const string DoomedGroup = "CREATE TRIGGER test_doom BEFORE INSERT ON streams WHEN NEW.stream_id = 'doomed' BEGIN SELECT RAISE(ROLLBACK, 'doomed group'); END";

    private void CreateTrigger(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        Execute(connection, sql);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static EventData Event(string type) => new(Guid.NewGuid(), type, JsonElement.Parse("""{"n":1}"""), new EventMetadata { OrgId = "org-1" });
}
