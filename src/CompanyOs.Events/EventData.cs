using System.Text.Json;

namespace CompanyOs.Events;

/// <summary>An event to append. <see cref="Data"/> is any JSON value; metadata travels separately.</summary>
public sealed record EventData(Guid EventId, string Type, JsonElement Data, EventMetadata Metadata);
