namespace CompanyOs.Events.Appending;

/// <summary>Where an already stored event sits: its version in the stream and its global position.</summary>
internal readonly record struct StoredEventRef(long Version, long Position);
