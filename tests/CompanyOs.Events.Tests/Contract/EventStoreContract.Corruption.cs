using CompanyOs.Events.Serialization;

namespace CompanyOs.Events.Tests.Contract;

public abstract partial class EventStoreContract
{
    [Fact]
    public async Task Unknown_event_types_read_back_as_written()
    {
        await Store.AppendAsync("s", ExpectedVersion.Any, [Event(type: "from.a.future.version.v99")], Ct);

        var read = Assert.Single(await ReadAll(Store));
        Assert.Equal("from.a.future.version.v99", read.Type);
        Assert.Null(read.Metadata.Extra);
    }

    [Fact]
    public async Task Metadata_of_the_wrong_shape_reads_back_without_crashing_and_names_the_problem()
    {
        var id = Guid.NewGuid();
        Assert.True(await StoreRawEventAsync(Store, "damaged", id, "odd", """{"n":1}""", """{"org_id":42,"actor":"me","extra":{"k":"v","bad":[1]}}"""));
        Assert.True(await StoreRawEventAsync(Store, "damaged", Guid.NewGuid(), "odd", """[1,2]""", """[1,2,3]"""));
        await Store.AppendAsync("damaged", ExpectedVersion.Exactly(1), [Numbered(3)], Ct);

        var events = await ReadStream(Store, "damaged");

        Assert.Equal(3, events.Count);
        Assert.Equal(id, events[0].EventId);
        Assert.Null(events[0].Metadata.OrgId);
        Assert.Equal("me", events[0].Metadata.Actor);
        Assert.Equal("v", events[0].Metadata.Extra!["k"]);
        Assert.Contains("org_id", events[0].Metadata.Extra![MetadataJson.ReadErrorKey], StringComparison.Ordinal);
        Assert.Contains("extra.bad", events[0].Metadata.Extra![MetadataJson.ReadErrorKey], StringComparison.Ordinal);
        Assert.Equal(2, events[1].Data.GetArrayLength());
        Assert.Contains("not an object", events[1].Metadata.Extra![MetadataJson.ReadErrorKey], StringComparison.Ordinal);
        Assert.Equal(3, N(events[2]));
    }

    [Fact]
    public async Task Data_that_is_not_json_reads_back_as_a_string_where_the_storage_can_hold_it()
    {
        var stored = await StoreRawEventAsync(Store, "broken", Guid.NewGuid(), "t", """{"unterminated": """, "{not json");
        if (!stored)
        {
            // The backend enforces valid JSON itself (PostgreSQL jsonb); then there is nothing corrupt to read.
            Assert.Empty(await ReadAll(Store));
            return;
        }

        var read = Assert.Single(await ReadAll(Store));
        Assert.Equal("""{"unterminated": """, read.Data.GetString());
        Assert.Contains("data is not valid JSON", read.Metadata.Extra![MetadataJson.ReadErrorKey], StringComparison.Ordinal);
        Assert.Contains("metadata is not valid JSON", read.Metadata.Extra![MetadataJson.ReadErrorKey], StringComparison.Ordinal);
    }
}
