using CompanyOs.Events.InMemory;
using CompanyOs.Events.Tests.Contract;

namespace CompanyOs.Events.Tests.InMemory;

public sealed class InMemoryEventStoreContractTests : EventStoreContract
{
    protected override bool InstancesShareStorage => false;

    protected override Task<IEventStore> OpenStoreAsync(EventStoreOptions options, TimeProvider timeProvider)
        => Task.FromResult<IEventStore>(new InMemoryEventStore(options, timeProvider));

    protected override Task<bool> StoreRawEventAsync(IEventStore store, string streamId, Guid eventId, string type, string dataJson, string metadataJson)
    {
        ((InMemoryEventStore)store).AppendRawForTesting(streamId, eventId, type, dataJson, metadataJson, orgId: null);
        return Task.FromResult(true);
    }
}
