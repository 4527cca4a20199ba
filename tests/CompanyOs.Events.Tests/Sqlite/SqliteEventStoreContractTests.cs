using CompanyOs.Events.Sqlite;
using CompanyOs.Events.Tests.Contract;

namespace CompanyOs.Events.Tests.Sqlite;

public sealed class SqliteEventStoreContractTests : EventStoreContract
{
    private readonly TempDirectory _directory = new();

    protected override async Task<IEventStore> OpenStoreAsync(EventStoreOptions options, TimeProvider timeProvider)
        => await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = DatabasePath, Common = options }, timeProvider);

    protected override Task<bool> StoreRawEventAsync(IEventStore store, string streamId, Guid eventId, string type, string dataJson, string metadataJson)
    {
        SqliteRawRows.Insert(DatabasePath, streamId, eventId, type, dataJson, metadataJson);
        return Task.FromResult(true);
    }

    protected override Task DeleteStorageAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }

    private string DatabasePath => Path.Combine(_directory.Path, "events.db");
}
