using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.ReadModel;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Events.InMemory;
using CompanyOs.Tools;

namespace CompanyOs.Agents.Tests.ReadModel;

/// <summary>The runtime's lists come from the read model: no stream is listed or re-read to answer them.</summary>
public sealed class RuntimeReadModelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pending_approvals_and_run_lists_read_no_run_stream_once_projected()
    {
        var store = new HookedEventStore(new InMemoryEventStore());
        var h = new RuntimeHarness(store);
        h.AddTool("execute_code", ToolRisk.High);
        h.Define(AutonomyLevel.Supervised);
        await using var runtime = h.CreateRuntime();
        var waiting = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            h.Script.ThenCalls(($"call_{i}", "execute_code", new { query = "x" }));
            var result = await runtime.RunAsync(RuntimeHarness.Request(org: "org-1"), cancellationToken: Ct);
            Assert.Equal(RunStatus.AwaitingApproval, result.Status);
            waiting.Add(result.RunId);
        }

        await runtime.Runs.CatchUpAsync(cancellationToken: Ct);
        var reads = new List<string>();
        store.OnStreamRead = reads.Add;

        var pending = await runtime.ListPendingApprovalsAsync("org-1", Ct).ToListAsync(Ct);
        var page = await runtime.Runs.ListRunsAsync(new RunQuery { OrgId = "org-1", Status = RunStatus.AwaitingApproval }, Ct);

        Assert.Equal(waiting.Order(StringComparer.Ordinal), pending.Select(p => p.RunId).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Reverse(waiting), page.Items.Select(r => r.RunId));
        Assert.Empty(reads);
    }
}
