using System.Globalization;
using System.Text.Json;
using CompanyOs.Events;
using CompanyOs.Events.Postgres;
using CompanyOs.Events.Sqlite;

namespace CompanyOs.Events.CrashWriter;

/// <summary>
/// Child process of the crash-safety tests: appends forever from several tasks and prints "ACK id" for every event
/// whose append has returned. The test kills it with SIGKILL at a random moment and checks every acknowledged event.
/// Usage: sqlite PATH [WAL_CHECKPOINT_PAGES] | postgres CONNECTION_STRING SCHEMA.
/// </summary>
internal static class Program
{
    private static readonly Lock Output = new();

    private static async Task<int> Main(string[] args)
    {
        IEventStore store = args switch
        {
            ["sqlite", var path] => await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = path }).ConfigureAwait(false),
            ["sqlite", var path, var pages] => await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions
            {
                DatabasePath = path,
                WalCheckpointPages = int.Parse(pages, CultureInfo.InvariantCulture),
            }).ConfigureAwait(false),
            ["postgres", var connectionString, var schema] => await PostgresEventStore.OpenAsync(
                new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = schema }).ConfigureAwait(false),
            _ => throw new ArgumentException("usage: sqlite PATH [WAL_CHECKPOINT_PAGES] | postgres CONNECTION_STRING SCHEMA", nameof(args)),
        };
        Console.Out.WriteLine("READY");
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => WriteForeverAsync(store, w))).ConfigureAwait(false);
        return 0;
    }

    private static async Task WriteForeverAsync(IEventStore store, int writer)
    {
        for (var i = 0; ; i++)
        {
            var size = 1 + (i % 4 == 3 ? 20 : 0);
            var batch = Enumerable.Range(0, size).Select(k => new EventData(
                Guid.NewGuid(),
                "crash.test",
                JsonSerializer.SerializeToElement(string.Create(CultureInfo.InvariantCulture, $"writer {writer} append {i} event {k}")),
                new EventMetadata { OrgId = "org-crash" })).ToArray();
            await store.AppendAsync($"crash-{writer}-{i % 3}", ExpectedVersion.Any, batch).ConfigureAwait(false);
            lock (Output)
            {
                foreach (var e in batch)
                {
                    Console.Out.WriteLine("ACK " + e.EventId.ToString("D"));
                }
            }
        }
    }
}
