namespace CompanyOs.Events.InMemory;

/// <summary>One stream of the in-memory store. The stream's organisation is the first org id any of its events names.</summary>
internal sealed class InMemoryStream(string streamId, long createdAtMicros)
{
    public string StreamId { get; } = streamId;

    public List<InMemoryRow> Events { get; } = [];

    public Dictionary<Guid, InMemoryRow> Ids { get; } = [];

    public string? OrgId { get; private set; }

    public long CreatedAtMicros { get; } = createdAtMicros;

    public long UpdatedAtMicros { get; private set; } = createdAtMicros;

    public void Add(InMemoryRow row)
    {
        Events.Add(row);
        Ids.Add(row.EventId, row);
        OrgId ??= row.OrgId;
        UpdatedAtMicros = row.CreatedAtMicros;
    }

    public StreamInfo ToInfo() => new(
        StreamId, Events.Count - 1, Serialization.UnixMicros.ToDateTimeOffset(CreatedAtMicros), Serialization.UnixMicros.ToDateTimeOffset(UpdatedAtMicros));
}
