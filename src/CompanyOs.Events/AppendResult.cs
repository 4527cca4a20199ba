namespace CompanyOs.Events;

/// <summary>The stream's version and the global position of its last event after an append.</summary>
public readonly record struct AppendResult(long NextExpectedVersion, long LastPosition);
