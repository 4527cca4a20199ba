namespace CompanyOs.Agents.Runtime;

/// <summary>Another writer appended to the run's stream first: this driver must stop without writing anything more.</summary>
internal sealed class RunOwnershipLostException(string runId, Exception inner)
    : Exception($"Run '{runId}' was changed by another writer; this driver stops.", inner)
{
    public string RunId { get; } = runId;
}
