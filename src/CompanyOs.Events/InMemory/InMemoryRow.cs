using CompanyOs.Events.Serialization;

namespace CompanyOs.Events.InMemory;

/// <summary>An event as the in-memory store keeps it: serialized, like a database row.</summary>
internal sealed record InMemoryRow(
    string StreamId, long Version, long Position, Guid EventId, string Type, string DataJson, string MetadataJson, string? OrgId, long CreatedAtMicros)
{
    public bool Matches(EventFilter? filter) =>
        filter is null
        || ((filter.Types is null || filter.Types.Contains(Type, StringComparer.Ordinal))
            && (filter.OrgId is null || filter.OrgId == OrgId)
            && (filter.StreamPrefix is null || StreamId.StartsWith(filter.StreamPrefix, StringComparison.Ordinal)));

    public RecordedEvent Decode() =>
        StoredEventDecoder.Decode(StreamId, Version, Position, EventId, Type, DataJson, MetadataJson, CreatedAtMicros);
}
