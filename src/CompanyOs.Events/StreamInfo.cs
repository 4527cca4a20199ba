namespace CompanyOs.Events;

/// <summary>A stream as listed: its id, version, and when its first and last events were written.</summary>
public sealed record StreamInfo(string StreamId, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
