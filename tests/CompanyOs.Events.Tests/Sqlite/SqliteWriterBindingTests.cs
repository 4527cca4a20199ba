using System.Text.Json;
using CompanyOs.Events.Sqlite;

namespace CompanyOs.Events.Tests.Sqlite;

/// <summary>
/// The writer binds its insert by position and leaves in place what the previous event of the append already bound (the
/// same type, metadata or org string, the stream, the time). These tests mix shared and changing values within a batch and
/// across the appends of one group, and check every stored row, column by column, including the org column the org filter
/// reads and the data text exactly as the caller wrote it.
/// </summary>
public sealed class SqliteWriterBindingTests : SqliteStoreFixture
{

    [Fact]
    public async Task Values_shared_by_some_events_of_a_batch_and_values_that_change_are_each_stored_on_their_own_row()
    {
        var orgA = new EventMetadata { OrgId = "org-a", Actor = "agent:a" };
        var noOrg = new EventMetadata { CorrelationId = "run-2" };
        var orgB = new EventMetadata { OrgId = "org-b" };
        const string Step = "agent.step";
        EventData E(string type, EventMetadata metadata, int n) => new(Guid.NewGuid(), type, JsonElement.Parse($$"""{"n":{{n}}}"""), metadata);
        var batch = new[]
        {
            E(Step, orgA, 0), E(Step, orgA, 1), E(Step, noOrg, 2), E(Step, orgA, 3), E("agent.other", orgB, 4), E(Step, orgB, 5),
        };

        await Store.AppendAsync("first", ExpectedVersion.NoStream, batch, Ct);
        // A second append whose first event shares the previous append's last type and metadata objects: its stream and
        // time must still be its own.
        var second = await Store.AppendAsync("second", ExpectedVersion.NoStream, [E(Step, orgB, 6), E(Step, noOrg, 7)], Ct);
        Assert.Equal(new AppendResult(1, 8), second);

        var rows = ReadRows();
        Assert.Equal(
            [
                ("first", 0L, batch[0].EventId.ToString("D"), Step, """{"n":0}""", "org-a"),
                ("first", 1, batch[1].EventId.ToString("D"), Step, """{"n":1}""", "org-a"),
                ("first", 2, batch[2].EventId.ToString("D"), Step, """{"n":2}""", null),
                ("first", 3, batch[3].EventId.ToString("D"), Step, """{"n":3}""", "org-a"),
                ("first", 4, batch[4].EventId.ToString("D"), "agent.other", """{"n":4}""", "org-b"),
                ("first", 5, batch[5].EventId.ToString("D"), Step, """{"n":5}""", "org-b"),
                ("second", 0, rows[6].EventId, Step, """{"n":6}""", "org-b"),
                ("second", 1, rows[7].EventId, Step, """{"n":7}""", null),
            ],
            rows.Select(r => (r.Stream, r.Version, r.EventId, r.Type, r.Data, r.Org)));

        var read = await Store.ReadAllAsync(cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal(["agent:a", "agent:a", null, "agent:a", null, null, null, null], read.Select(e => e.Metadata.Actor));
        Assert.Equal([null, null, "run-2", null, null, null, null, "run-2"], read.Select(e => e.Metadata.CorrelationId));
        var orgBEvents = await Store.ReadAllAsync(filter: new EventFilter { OrgId = "org-b" }, cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal([5L, 6, 7], orgBEvents.Select(e => e.Position));
    }

    [Fact]
    public async Task Data_is_stored_as_the_exact_json_text_the_caller_wrote()
    {
        const string Json = """{ "path" : "C:\\tmp\\é", "escaped":"\u00e9\ud83d\ude00" ,"list":[1, 2.50, true] }""";
        await Store.AppendAsync("exact", ExpectedVersion.NoStream, [new EventData(Guid.NewGuid(), "t", JsonElement.Parse(Json), EventMetadata.Empty)], Ct);

        Assert.Equal(Json, Assert.Single(ReadRows()).Data);
        var e = Assert.Single(await Store.ReadStreamAsync("exact", cancellationToken: Ct).ToListAsync(Ct));
        Assert.Equal("C:\\tmp\\é", e.Data.GetProperty("path").GetString());
        Assert.Equal("é😀", e.Data.GetProperty("escaped").GetString());
    }

    private List<(string Stream, long Version, string EventId, string Type, string Data, string? Org)> ReadRows()
    {
        using var connection = SqliteRawRows.Open(DatabasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT stream_id, version, event_uuid, type, data, org FROM events ORDER BY position";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, long, string, string, string, string?)>();
        while (reader.Read())
        {
            // Schema 3 stores the id as its 16 bytes in RFC 4122 order.
            var id = new Guid(Assert.IsType<byte[]>(reader.GetValue(2)), bigEndian: true).ToString("D");
            rows.Add((reader.GetString(0), reader.GetInt64(1), id, reader.GetString(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return rows;
    }
}
