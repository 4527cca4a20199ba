using System.Text.Json.Nodes;

namespace CompanyOs.Events.Tests.Contract;

public abstract partial class EventStoreContract
{
    [Fact]
    public async Task New_stream_gets_versions_from_zero_and_positions_from_one()
    {
        var result = await Store.AppendAsync("order-1", ExpectedVersion.NoStream, [Numbered(0), Numbered(1), Numbered(2)], Ct);

        Assert.Equal(new AppendResult(2, 3), result);
        var events = await ReadStream(Store, "order-1");
        Assert.Equal([0L, 1L, 2L], events.Select(e => e.Version));
        Assert.Equal([0, 1, 2], events.Select(N));
        AssertContiguous(events);
        Assert.Equal(2, await Store.GetStreamVersionAsync("order-1", Ct));
    }

    [Fact]
    public async Task Expected_exact_version_appends_at_the_end()
    {
        await Store.AppendAsync("s", ExpectedVersion.NoStream, [Numbered(0)], Ct);
        var result = await Store.AppendAsync("s", ExpectedVersion.Exactly(0), [Numbered(1), Numbered(2)], Ct);
        Assert.Equal(new AppendResult(2, 3), result);
        result = await Store.AppendAsync("s", ExpectedVersion.Any, [Numbered(3)], Ct);
        Assert.Equal(new AppendResult(3, 4), result);
        Assert.Equal([0, 1, 2, 3], (await ReadStream(Store, "s")).Select(N));
    }

    [Fact]
    public async Task No_stream_expectation_conflicts_when_the_stream_exists_and_writes_nothing()
    {
        await Store.AppendAsync("s", ExpectedVersion.NoStream, [Numbered(0), Numbered(1)], Ct);

        var ex = await Assert.ThrowsAsync<ConcurrencyException>(
            () => Store.AppendAsync("s", ExpectedVersion.NoStream, [Numbered(9), Numbered(10)], Ct));

        Assert.Equal("s", ex.StreamId);
        Assert.Equal(ExpectedVersion.NoStream, ex.Expected);
        Assert.Equal(1, ex.Actual);
        Assert.Contains("'s'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await ReadAll(Store)).Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(7)]
    public async Task Wrong_exact_version_conflicts_and_writes_nothing(long expected)
    {
        await Store.AppendAsync("s", ExpectedVersion.NoStream, [Numbered(0), Numbered(1)], Ct);

        var ex = await Assert.ThrowsAsync<ConcurrencyException>(
            () => Store.AppendAsync("s", ExpectedVersion.Exactly(expected), [Numbered(9), Numbered(10)], Ct));

        Assert.Equal(1, ex.Actual);
        Assert.Equal(expected, ex.Expected.Value);
        Assert.Equal([0, 1], (await ReadAll(Store)).Select(N));
        Assert.Equal(1, await Store.GetStreamVersionAsync("s", Ct));
    }

    [Fact]
    public async Task Exact_version_on_a_missing_stream_conflicts_with_actual_null()
    {
        var ex = await Assert.ThrowsAsync<ConcurrencyException>(
            () => Store.AppendAsync("missing", ExpectedVersion.Exactly(0), [Numbered(0)], Ct));

        Assert.Null(ex.Actual);
        Assert.Null(await Store.GetStreamVersionAsync("missing", Ct));
        Assert.Empty(await ReadAll(Store));
    }

    [Fact]
    public async Task Resending_the_same_batch_returns_the_original_result_and_stores_nothing_new()
    {
        EventData[] batch = [Numbered(0), Numbered(1)];
        var first = await Store.AppendAsync("s", ExpectedVersion.NoStream, batch, Ct);
        await Store.AppendAsync("s", ExpectedVersion.Exactly(1), [Numbered(2)], Ct);

        // A retry after an unknown outcome: the original expectation (NoStream) is stale, yet it succeeds idempotently.
        var again = await Store.AppendAsync("s", ExpectedVersion.NoStream, batch, Ct);
        var single = await Store.AppendAsync("s", ExpectedVersion.Any, [batch[0]], Ct);

        Assert.Equal(first, again);
        Assert.Equal(new AppendResult(0, 1), single);
        Assert.Equal([0, 1, 2], (await ReadAll(Store)).Select(N));
    }

    [Fact]
    public async Task A_partly_stored_batch_writes_only_its_new_events()
    {
        var stored = Numbered(0);
        await Store.AppendAsync("s", ExpectedVersion.NoStream, [stored], Ct);

        var result = await Store.AppendAsync("s", ExpectedVersion.Any, [stored, Numbered(1), Numbered(2)], Ct);

        Assert.Equal(new AppendResult(2, 3), result);
        Assert.Equal([0, 1, 2], (await ReadStream(Store, "s")).Select(N));
    }

    [Fact]
    public async Task A_partly_stored_batch_checks_the_expected_version_against_the_stream_as_it_is_now()
    {
        var stored = Numbered(0);
        await Store.AppendAsync("s", ExpectedVersion.NoStream, [stored], Ct);

        await Assert.ThrowsAsync<ConcurrencyException>(
            () => Store.AppendAsync("s", ExpectedVersion.NoStream, [stored, Numbered(1)], Ct));
        var ok = await Store.AppendAsync("s", ExpectedVersion.Exactly(0), [stored, Numbered(1)], Ct);

        Assert.Equal(new AppendResult(1, 2), ok);
        Assert.Equal([0, 1], (await ReadStream(Store, "s")).Select(N));
    }

    [Fact]
    public async Task The_same_event_id_may_appear_in_different_streams()
    {
        var id = Guid.NewGuid();
        await Store.AppendAsync("a", ExpectedVersion.Any, [Event(id: id)], Ct);
        await Store.AppendAsync("b", ExpectedVersion.Any, [Event(id: id)], Ct);

        var all = await ReadAll(Store);
        Assert.Equal(["a", "b"], all.Select(e => e.StreamId));
        Assert.All(all, e => Assert.Equal(id, e.EventId));
    }

    [Fact]
    public async Task Data_metadata_id_type_and_timestamp_round_trip()
    {
        var metadata = new EventMetadata
        {
            OrgId = "org-1",
            CorrelationId = "corr-1",
            CausationId = "cause-1",
            Actor = "agent:researcher",
            Extra = new Dictionary<string, string> { ["trace"] = "abc", ["empty"] = string.Empty },
        };
        var data = """{"text":"hi","nested":{"list":[1,2.5,-3e10,true,null,"x"]},"big":12345678901234567890}""";
        var sent = Event(data, "agent.llm_called", metadata);
        Time.Advance(TimeSpan.FromMinutes(5));

        await Store.AppendAsync("agent-session:1", ExpectedVersion.NoStream, [sent], Ct);

        var read = Assert.Single(await ReadStream(Store, "agent-session:1"));
        Assert.Equal(sent.EventId, read.EventId);
        Assert.Equal("agent.llm_called", read.Type);
        Assert.Equal("agent-session:1", read.StreamId);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(data), JsonNode.Parse(read.Data.GetRawText())));
        Assert.Equal(metadata.OrgId, read.Metadata.OrgId);
        Assert.Equal(metadata.CorrelationId, read.Metadata.CorrelationId);
        Assert.Equal(metadata.CausationId, read.Metadata.CausationId);
        Assert.Equal(metadata.Actor, read.Metadata.Actor);
        Assert.Equal(metadata.Extra, read.Metadata.Extra);
        Assert.Equal(Start.AddMinutes(5), read.Timestamp);
    }

    [Fact]
    public async Task Unicode_round_trips_in_ids_types_data_and_metadata()
    {
        const string text = "emoji 😀👩‍💻 rtl שלום مرحبا cjk 漢字 combining e\u0301 escapes \"\\\t\n";
        var json = new JsonObject { ["text"] = text }.ToJsonString();
        var metadata = new EventMetadata { OrgId = "org-ü", Actor = "👤 مستخدم", Extra = new Dictionary<string, string> { ["ключ"] = "значение 😀" } };

        await Store.AppendAsync("flux-😀-שלום", ExpectedVersion.Any, [Event(json, "type.ünïcødé.😀", metadata)], Ct);

        var read = Assert.Single(await ReadStream(Store, "flux-😀-שלום"));
        Assert.Equal(text, read.Data.GetProperty("text").GetString());
        Assert.Equal("type.ünïcødé.😀", read.Type);
        Assert.Equal("👤 مستخدم", read.Metadata.Actor);
        Assert.Equal("значение 😀", read.Metadata.Extra!["ключ"]);
        Assert.Single(await ReadAll(Store, filter: new EventFilter { OrgId = "org-ü", StreamPrefix = "flux-😀" }));
    }

    [Fact]
    public async Task A_one_megabyte_event_round_trips()
    {
        var payload = string.Create(1024 * 1024, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + (i % 26));
            }
        });
        var json = new JsonObject { ["blob"] = payload }.ToJsonString();

        await Store.AppendAsync("big", ExpectedVersion.NoStream, [Event(json), Event(json)], Ct);

        var read = await ReadStream(Store, "big");
        Assert.Equal(2, read.Count);
        Assert.All(read, e => Assert.Equal(payload, e.Data.GetProperty("blob").GetString()));
    }
}
