namespace CompanyOs.Agents.ReadModel;

/// <summary>Storage of the run projection: rows and checkpoint, written together. Implementations: SQL (SQLite, PostgreSQL) and in-memory.</summary>
internal interface IRunTable : IAsyncDisposable
{
    /// <summary>Creates the table when missing; drops and recreates it when its layout is older than this build's.</summary>
    Task EnsureCreatedAsync(CancellationToken cancellationToken);

    Task<RunCheckpoint> ReadCheckpointAsync(CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: upserts <paramref name="rows"/> (a row never goes back to an older stream version) and moves the
    /// checkpoint from <paramref name="from"/> to <paramref name="to"/> — only when the checkpoint still is <paramref name="from"/>
    /// (another projector did not get there first, no rebuild started); otherwise writes nothing and returns false.
    /// </summary>
    Task<bool> CommitAsync(RunCheckpoint from, long to, IReadOnlyList<RunRow> rows, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> rows matching the query with start position below <paramref name="before"/>, newest first.</summary>
    Task<IReadOnlyList<RunRow>> QueryAsync(RunQuery query, long? before, int limit, CancellationToken cancellationToken);

    Task<RunRow?> GetAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Rows with pending decisions, of one organisation or all.</summary>
    Task<IReadOnlyList<RunRow>> ListPendingAsync(string? orgId, CancellationToken cancellationToken);

    /// <summary>Deletes every row and resets the checkpoint to 0 with a new generation.</summary>
    Task ResetAsync(CancellationToken cancellationToken);
}
