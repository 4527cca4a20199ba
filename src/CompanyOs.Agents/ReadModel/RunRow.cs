namespace CompanyOs.Agents.ReadModel;

/// <summary>A stored row of the runs table: the summary, the position of the run's first event (the sort key) and its pending decisions as JSON.</summary>
internal sealed record RunRow(RunSummary Summary, long StartPosition, string? PendingJson);

/// <summary>Where the projection stands: the last global position projected, and the generation (bumped by every rebuild).</summary>
internal readonly record struct RunCheckpoint(long Position, long Generation);
