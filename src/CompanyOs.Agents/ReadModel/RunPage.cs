namespace CompanyOs.Agents.ReadModel;

/// <summary>
/// A page of runs, newest first. <see cref="NextCursor"/> continues after the last item (null when there are no more);
/// runs started later never shift the following pages, since pages are cut by the position of each run's first event.
/// </summary>
public sealed record RunPage(IReadOnlyList<RunSummary> Items, string? NextCursor);
