using System.Diagnostics;
using System.Text.Json;
using CompanyOs.Events.Sqlite;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Events.Tests.Sqlite;

/// <summary>
/// Another process holding SQLite's write lock: the append waits up to <see cref="SqliteEventStoreOptions.BusyTimeout"/> and
/// then fails with a transient error, storing nothing; once the lock is free the same append succeeds. The wait is bounded by
/// the option itself (the busy_timeout pragma), not stretched by the driver's own command timeout (BusyTimeout + 5 s).
/// </summary>
public sealed class SqliteBusyTimeoutTests : IDisposable
{
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromMilliseconds(100);
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task An_append_blocked_by_another_writer_beyond_the_busy_timeout_fails_transiently_and_stores_nothing()
    {
        var path = Path.Combine(_directory.Path, "events.db");
        using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = path, BusyTimeout = BusyTimeout }, cancellationToken: Ct);
        var append = new EventData(Guid.NewGuid(), "t", JsonElement.Parse("{}"), EventMetadata.Empty);

        using (var blocker = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            blocker.Open();
            using var begin = blocker.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();

            var clock = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<EventStoreException>(() => store.AppendAsync("s", ExpectedVersion.NoStream, [append], Ct));
            clock.Stop();
            Assert.True(error.IsTransient);
            Assert.Contains("locked", error.Message, StringComparison.Ordinal);
            // Not a speed bound: the driver's own retry loop would have kept going until BusyTimeout + 5 s (about 5.1 s here).
            Assert.True(clock.Elapsed < BusyTimeout + TimeSpan.FromSeconds(4), $"the append waited {clock.Elapsed}, far beyond the busy timeout of {BusyTimeout}");
        }

        Assert.Null(await store.GetStreamVersionAsync("s", Ct));
        Assert.Equal(new AppendResult(0, 1), await store.AppendAsync("s", ExpectedVersion.NoStream, [append], Ct));
    }
}
