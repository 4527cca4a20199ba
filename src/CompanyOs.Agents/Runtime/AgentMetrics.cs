using System.Diagnostics;
using System.Diagnostics.Metrics;
using CompanyOs.Agents.Runs;

namespace CompanyOs.Agents.Runtime;

/// <summary>
/// The runtime's metrics on the <see cref="AgentTelemetry.MeterName"/> meter (one per runtime, whose
/// <see cref="Meter.Scope"/> is the runtime): <c>companyos.agent.runs</c>, runs entering a status, by agent type, status
/// and org — never by run id.
/// </summary>
internal sealed class AgentMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _runs;

    public AgentMetrics(object scope)
    {
        _meter = new Meter(new MeterOptions(AgentTelemetry.MeterName) { Scope = scope });
        _runs = _meter.CreateCounter<long>(
            "companyos.agent.runs", "{run}",
            "Runs entering a status, by companyos.run.status: running when started, then every status a drive, decision or cancellation leaves a run in.");
    }

    /// <summary>The run has just entered <paramref name="status"/> through this runtime.</summary>
    public void Entered(RunState state, RunStatus status)
    {
        if (!_runs.Enabled)
        {
            return;
        }

        _runs.Add(1, new TagList
        {
            { "gen_ai.agent.name", state.Start?.AgentType ?? "unknown" },
            { "companyos.run.status", status.ToWireName() },
            { "companyos.org", state.OrgId ?? "" },
        });
    }

    /// <summary>
    /// A drive by this runtime moved the run from <paramref name="before"/> to the result's status. A drive that found the run
    /// driven elsewhere or lost it moved nothing of its own; a cancellation is counted by the cancel that recorded it.
    /// </summary>
    public void Drove(RunStatus before, AgentRunResult result)
    {
        var status = result.Status;
        if (status != before && status != RunStatus.Cancelled && result.DrivenBy is null && !result.OwnershipLost)
        {
            Entered(result.State, status);
        }
    }

    public void Dispose() => _meter.Dispose();
}
