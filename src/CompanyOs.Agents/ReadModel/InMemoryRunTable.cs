namespace CompanyOs.Agents.ReadModel;

/// <summary>The runs table of a store that has no database of its own (in-memory and test stores): built from the events by this process.</summary>
internal sealed class InMemoryRunTable : IRunTable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RunRow> _rows = new(StringComparer.Ordinal);
    private RunCheckpoint _checkpoint = new(0, 1);

    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<RunCheckpoint> ReadCheckpointAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_checkpoint);
        }
    }

    public Task<bool> CommitAsync(RunCheckpoint from, long to, IReadOnlyList<RunRow> rows, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_checkpoint != from)
            {
                return Task.FromResult(false);
            }

            foreach (var row in rows)
            {
                if (!_rows.TryGetValue(row.Summary.RunId, out var current) || current.Summary.Version <= row.Summary.Version)
                {
                    _rows[row.Summary.RunId] = row;
                }
            }

            _checkpoint = new RunCheckpoint(to, from.Generation);
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<RunRow>> QueryAsync(RunQuery query, long? before, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<RunRow>>([.. _rows.Values
                .Where(r => (query.OrgId is null || r.Summary.OrgId == query.OrgId)
                    && (query.Status is null || r.Summary.Status == query.Status)
                    && (query.AgentType is null || r.Summary.AgentType == query.AgentType)
                    && (query.From is null || r.Summary.CreatedAt >= query.From)
                    && (query.To is null || r.Summary.CreatedAt < query.To)
                    && (before is null || r.StartPosition < before))
                .OrderByDescending(r => r.StartPosition)
                .Take(limit)]);
        }
    }

    public Task<RunRow?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_rows.GetValueOrDefault(runId));
        }
    }

    public Task<IReadOnlyList<RunRow>> ListPendingAsync(string? orgId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<RunRow>>([.. _rows.Values.Where(r => r.Summary.PendingCount > 0 && (orgId is null || r.Summary.OrgId == orgId))]);
        }
    }

    public Task ResetAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _rows.Clear();
            _checkpoint = new RunCheckpoint(0, _checkpoint.Generation + 1);
            return Task.CompletedTask;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
