namespace CompanyOs.Events.Appending;

/// <summary>A validated event, serialized as the database stores it.</summary>
internal sealed record PreparedEvent(Guid EventId, string Type, string DataJson, string MetadataJson, string? OrgId);
