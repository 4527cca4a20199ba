using System.Text.Json;

namespace CompanyOs.Events;

/// <summary>A stored event as read back. Unknown types read back fine: <see cref="Type"/> is just a string.</summary>
public sealed record RecordedEvent(
    string StreamId,
    long Version,
    long Position,
    Guid EventId,
    string Type,
    JsonElement Data,
    EventMetadata Metadata,
    DateTimeOffset Timestamp);
