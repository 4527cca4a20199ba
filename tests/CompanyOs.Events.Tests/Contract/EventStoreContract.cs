using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Events.Tests.Contract;

/// <summary>
/// The one contract every <see cref="IEventStore"/> passes. Subclasses only say how to open a store over fresh storage
/// (each call of <see cref="OpenStoreAsync"/> within one test reaches the same storage where the backend allows it,
/// like a second process would) and how to plant a raw row.
/// </summary>
public abstract partial class EventStoreContract : IAsyncLifetime
{
    private readonly List<IEventStore> _opened = [];

    protected static readonly DateTimeOffset Start = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    protected FakeTimeProvider Time { get; } = new(Start);

    protected IEventStore Store { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens a store over this test's storage.</summary>
    protected abstract Task<IEventStore> OpenStoreAsync(EventStoreOptions options, TimeProvider timeProvider);

    /// <summary>Writes a row bypassing the store's validation. Returns false when the storage itself refuses invalid JSON.</summary>
    protected abstract Task<bool> StoreRawEventAsync(IEventStore store, string streamId, Guid eventId, string type, string dataJson, string metadataJson);

    /// <summary>Removes this test's storage.</summary>
    protected virtual Task DeleteStorageAsync() => Task.CompletedTask;

    /// <summary>True when a second <see cref="OpenStoreAsync"/> reaches the same events (not so for the in-memory store).</summary>
    protected virtual bool InstancesShareStorage => true;

    public async ValueTask InitializeAsync() => Store = await OpenAnotherAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _opened)
        {
            if (store is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }

        await DeleteStorageAsync();
        GC.SuppressFinalize(this);
    }

    protected async Task<IEventStore> OpenAnotherAsync(EventStoreOptions? options = null)
    {
        var store = await OpenStoreAsync(options ?? new EventStoreOptions(), Time);
        _opened.Add(store);
        return store;
    }

    protected static EventData Event(string json = """{"n":1}""", string type = "test.happened", EventMetadata? metadata = null, Guid? id = null)
        => new(id ?? Guid.NewGuid(), type, JsonElement.Parse(json), metadata ?? EventMetadata.Empty);

    protected static EventData Numbered(int n, string type = "test.numbered", string? org = null)
        => Event($$"""{"n":{{n}}}""", type, new EventMetadata { OrgId = org });

    protected static int N(RecordedEvent e) => e.Data.GetProperty("n").GetInt32();

    protected static Task<List<RecordedEvent>> ReadStream(IEventStore store, string streamId, long from = 0)
        => store.ReadStreamAsync(streamId, from, Ct).ToListAsync(Ct).AsTask();

    protected static Task<List<RecordedEvent>> ReadAll(IEventStore store, long from = 0, EventFilter? filter = null, int max = int.MaxValue)
        => store.ReadAllAsync(from, filter, max, Ct).ToListAsync(Ct).AsTask();

    protected static void AssertContiguous(IReadOnlyList<RecordedEvent> events, long firstPosition = 1)
    {
        for (var i = 0; i < events.Count; i++)
        {
            Assert.Equal(firstPosition + i, events[i].Position);
        }
    }
}
