namespace CompanyOs.Events.Tests.Contract;

public abstract partial class EventStoreContract
{
    [Fact]
    public async Task Read_stream_starts_at_the_given_version_and_an_unknown_stream_is_empty()
    {
        await Store.AppendAsync("s", ExpectedVersion.Any, [Numbered(0), Numbered(1), Numbered(2), Numbered(3)], Ct);

        Assert.Equal([2, 3], (await ReadStream(Store, "s", 2)).Select(N));
        Assert.Empty(await ReadStream(Store, "s", 4));
        Assert.Empty(await ReadStream(Store, "nope"));
        Assert.Null(await Store.GetStreamVersionAsync("nope", Ct));
    }

    [Fact]
    public async Task Read_all_is_in_commit_order_from_an_exclusive_position_with_max_count()
    {
        await Store.AppendAsync("a", ExpectedVersion.Any, [Numbered(1)], Ct);
        await Store.AppendAsync("b", ExpectedVersion.Any, [Numbered(2), Numbered(3)], Ct);
        await Store.AppendAsync("a", ExpectedVersion.Any, [Numbered(4)], Ct);

        var all = await ReadAll(Store);
        Assert.Equal([1, 2, 3, 4], all.Select(N));
        Assert.Equal(["a", "b", "b", "a"], all.Select(e => e.StreamId));
        AssertContiguous(all);
        Assert.Equal([3, 4], (await ReadAll(Store, from: 2)).Select(N));
        Assert.Equal([2, 3], (await ReadAll(Store, from: 1, max: 2)).Select(N));
        Assert.Empty(await ReadAll(Store, max: 0));
        Assert.Empty(await ReadAll(Store, from: 4));
    }

    [Fact]
    public async Task Read_all_filters_by_type_org_and_stream_prefix()
    {
        await Store.AppendAsync("agent-session:1", ExpectedVersion.Any, [Numbered(1, "started", "org-a"), Numbered(2, "step", "org-a")], Ct);
        await Store.AppendAsync("agent-session:2", ExpectedVersion.Any, [Numbered(3, "started", "org-b")], Ct);
        await Store.AppendAsync("billing:1", ExpectedVersion.Any, [Numbered(4, "charged", "org-a"), Numbered(5, "step")], Ct);

        Assert.Equal([1, 3], (await ReadAll(Store, filter: new EventFilter { Types = ["started"] })).Select(N));
        Assert.Equal([2, 4, 5], (await ReadAll(Store, filter: new EventFilter { Types = ["step", "charged"] })).Select(N));
        Assert.Equal([1, 2, 4], (await ReadAll(Store, filter: new EventFilter { OrgId = "org-a" })).Select(N));
        Assert.Equal([1, 2, 3], (await ReadAll(Store, filter: new EventFilter { StreamPrefix = "agent-session:" })).Select(N));
        Assert.Equal([2], (await ReadAll(Store, filter: new EventFilter { StreamPrefix = "agent-", OrgId = "org-a", Types = ["step"] })).Select(N));
        Assert.Empty(await ReadAll(Store, filter: new EventFilter { Types = [] }));
        Assert.Empty(await ReadAll(Store, filter: new EventFilter { StreamPrefix = "agent-session:3" }));
        Assert.Equal([3], (await ReadAll(Store, from: 1, filter: new EventFilter { Types = ["started"] }, max: 1)).Select(N));
    }

    [Fact]
    public async Task Prefix_filters_match_literally()
    {
        await Store.AppendAsync("a%b", ExpectedVersion.Any, [Numbered(1)], Ct);
        await Store.AppendAsync("aXb", ExpectedVersion.Any, [Numbered(2)], Ct);
        await Store.AppendAsync("a_b", ExpectedVersion.Any, [Numbered(3)], Ct);
        await Store.AppendAsync("A%b", ExpectedVersion.Any, [Numbered(4)], Ct);

        Assert.Equal([1], (await ReadAll(Store, filter: new EventFilter { StreamPrefix = "a%" })).Select(N));
        Assert.Equal([3], (await ReadAll(Store, filter: new EventFilter { StreamPrefix = "a_" })).Select(N));
        Assert.Equal(["a%b"], await Store.ListStreamsAsync("a%", cancellationToken: Ct).Select(s => s.StreamId).ToListAsync(Ct));
    }

    [Fact]
    public async Task Reads_page_through_more_events_than_one_page()
    {
        var store = await OpenAnotherAsync(new EventStoreOptions { ReadPageSize = 3 });
        for (var i = 0; i < 10; i++)
        {
            await store.AppendAsync($"p-{i % 2}", ExpectedVersion.Any, [Numbered(i, i % 3 == 0 ? "third" : "other")], Ct);
        }

        Assert.Equal(Enumerable.Range(0, 10), (await ReadAll(store)).Select(N));
        Assert.Equal([0, 3, 6, 9], (await ReadAll(store, filter: new EventFilter { Types = ["third"] })).Select(N));
        Assert.Equal([1, 3, 5, 7], (await ReadAll(store, max: 4, filter: new EventFilter { StreamPrefix = "p-1" })).Select(N));
        Assert.Equal([0, 2, 4, 6, 8], (await ReadStream(store, "p-0")).Select(N));
        for (var i = 0; i < 7; i++)
        {
            await store.AppendAsync($"list-{i}", ExpectedVersion.Any, [Numbered(i)], Ct);
        }

        Assert.Equal(7, await store.ListStreamsAsync("list-", cancellationToken: Ct).CountAsync(Ct));
    }

    [Fact]
    public async Task Streams_are_listed_by_prefix_and_organisation_in_id_order()
    {
        Time.Advance(TimeSpan.FromSeconds(1));
        await Store.AppendAsync("agent-session:b", ExpectedVersion.Any, [Numbered(1, org: "org-a")], Ct);
        await Store.AppendAsync("agent-session:a", ExpectedVersion.Any, [Numbered(2, org: "org-b")], Ct);
        await Store.AppendAsync("agent-session:c", ExpectedVersion.Any, [Numbered(3), Numbered(4, org: "org-a")], Ct);
        await Store.AppendAsync("other:1", ExpectedVersion.Any, [Numbered(5, org: "org-a")], Ct);
        Time.Advance(TimeSpan.FromSeconds(1));
        await Store.AppendAsync("agent-session:b", ExpectedVersion.Any, [Numbered(6, org: "org-b")], Ct);

        var sessions = await Store.ListStreamsAsync("agent-session:", cancellationToken: Ct).ToListAsync(Ct);
        var orgA = await Store.ListStreamsAsync("agent-session:", "org-a", Ct).ToListAsync(Ct);
        var all = await Store.ListStreamsAsync(string.Empty, cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(["agent-session:a", "agent-session:b", "agent-session:c"], sessions.Select(s => s.StreamId));
        Assert.Equal(["agent-session:b", "agent-session:c"], orgA.Select(s => s.StreamId));
        Assert.Equal(4, all.Count);
        var b = sessions[1];
        Assert.Equal(1, b.Version);
        Assert.Equal(Start.AddSeconds(1), b.CreatedAt);
        Assert.Equal(Start.AddSeconds(2), b.UpdatedAt);
        Assert.Empty(await Store.ListStreamsAsync("agent-session:", "org-z", Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task A_second_instance_sees_the_first_instances_events()
    {
        var other = await OpenAnotherAsync();
        await Store.AppendAsync("shared", ExpectedVersion.NoStream, [Numbered(1)], Ct);
        if (!InstancesShareStorage)
        {
            Assert.Empty(await ReadAll(other));
            return;
        }

        Assert.Equal([1], (await ReadAll(other)).Select(N));
        await other.AppendAsync("shared", ExpectedVersion.Exactly(0), [Numbered(2)], Ct);
        await Assert.ThrowsAsync<ConcurrencyException>(() => Store.AppendAsync("shared", ExpectedVersion.Exactly(0), [Numbered(3)], Ct));
        Assert.Equal([1, 2], (await ReadStream(Store, "shared")).Select(N));
    }
}
