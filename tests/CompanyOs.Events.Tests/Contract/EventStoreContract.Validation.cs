using System.Text.Json;

namespace CompanyOs.Events.Tests.Contract;

public abstract partial class EventStoreContract
{
    public static TheoryData<string, string> BadStreamIds => new()
    {
        { string.Empty, "empty" },
        { "   ", "whitespace" },
        { "a\nb", "control character" },
        { "a\0b", "control character" },
        { new string('x', 257), "limit is 256" },
        { "bad\uD800", "unpaired surrogate" },
    };

    [Theory]
    [MemberData(nameof(BadStreamIds))]
    public async Task Bad_stream_ids_are_rejected_naming_the_problem(string streamId, string expected)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync(streamId, ExpectedVersion.Any, [Numbered(1)], Ct));

        Assert.Equal("streamId", ex.ParamName);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetStreamVersionAsync(streamId, Ct));
        Assert.Empty(await ReadAll(Store));
    }

    [Fact]
    public async Task Bad_arguments_and_a_cancelled_token_throw_from_the_call_itself_in_every_store()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        Assert.Throws<ArgumentException>(() => { _ = Store.AppendAsync(string.Empty, ExpectedVersion.Any, [Numbered(1)], Ct); });
        Assert.Throws<ArgumentException>(() => { _ = Store.GetStreamVersionAsync(string.Empty, Ct); });
        Assert.ThrowsAny<OperationCanceledException>(() => { _ = Store.AppendAsync("s", ExpectedVersion.Any, [Numbered(1)], cancelled.Token); });
        Assert.ThrowsAny<OperationCanceledException>(() => { _ = Store.GetStreamVersionAsync("s", cancelled.Token); });
        Assert.Empty(await ReadAll(Store));
    }

    [Fact]
    public async Task Bad_batches_are_rejected_naming_the_event_and_nothing_is_stored()
    {
        var good = Numbered(1);
        await AssertRejected([], "no events");
        await AssertRejected([good, Numbered(2), good], "repeats an event id");
        await AssertRejected([good, Event(id: Guid.Empty)], "Event 1 ");
        await AssertRejected([good, Event(type: string.Empty)], "type");
        await AssertRejected([good, Event(type: "bad\ttype")], "control character");
        await AssertRejected([good, new EventData(Guid.NewGuid(), "t", default, EventMetadata.Empty)], "undefined JsonElement");
        await AssertRejected([good, new EventData(Guid.NewGuid(), "t", JsonElement.Parse("{}"), null!)], "metadata");
        await AssertRejected([good, Event("""{"s":"a\u0000b"}""")], "NUL");
        await AssertRejected([good, Event(metadata: new EventMetadata { Actor = "a\0b" })], "NUL");
        await AssertRejected([good, null!], "null");
        await Assert.ThrowsAsync<ArgumentNullException>(() => Store.AppendAsync("s", ExpectedVersion.Any, null!, Ct));
        Assert.Empty(await ReadAll(Store));
    }

    [Fact]
    public async Task An_escaped_backslash_before_u0000_is_not_a_nul_and_is_accepted()
    {
        await Store.AppendAsync("s", ExpectedVersion.Any, [Event("""{"path":"C:\\u0000dir"}""")], Ct);

        Assert.Equal("C:\\u0000dir", Assert.Single(await ReadAll(Store)).Data.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Events_over_the_size_limit_are_rejected_with_the_limit_named()
    {
        var store = await OpenAnotherAsync(new EventStoreOptions { MaxEventBytes = 1000, MaxEventsPerAppend = 3 });
        var big = Event($$"""{"s":"{{new string('x', 1000)}}"}""");

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync("s", ExpectedVersion.Any, [Numbered(1), big], Ct));
        Assert.Contains("MaxEventBytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("event 1", ex.Message, StringComparison.Ordinal);
        ex = await Assert.ThrowsAsync<ArgumentException>(
            () => store.AppendAsync("s", ExpectedVersion.Any, [Numbered(1), Numbered(2), Numbered(3), Numbered(4)], Ct));
        Assert.Contains("MaxEventsPerAppend", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await ReadAll(store));
    }

    [Fact]
    public async Task Invalid_options_are_rejected_when_the_store_opens()
    {
        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => OpenStoreAsync(new EventStoreOptions { ReadPageSize = 0 }, Time));
        Assert.Contains("ReadPageSize", ex.Message, StringComparison.Ordinal);
    }

    private async Task AssertRejected(EventData[] batch, string expected)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync("s", ExpectedVersion.Any, batch, Ct));
        Assert.Equal("events", ex.ParamName);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
