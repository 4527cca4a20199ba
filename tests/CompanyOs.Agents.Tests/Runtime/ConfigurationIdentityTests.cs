using System.Text.Json;
using System.Text.Json.Nodes;
using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Events;
using CompanyOs.Tools;
using CompanyOs.Tools.Registry;

namespace CompanyOs.Agents.Tests.Runtime;

/// <summary>A run records the configuration and tool set it was started with; a runtime without its tools refuses it.</summary>
public sealed class ConfigurationIdentityTests
{
    private const string StartingConfig = "/srv/a/config/llm.yaml";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AgentRuntime RuntimeWith(RuntimeHarness h, IToolRegistry tools, string config, bool allowMissing = false) =>
        new(h.Chat, h.Store, tools, new TestPromptLibrary(), h.Definitions,
            new AgentRuntimeOptions { ConfigurationPath = config, AllowMissingTools = allowMissing }, h.Time);

    private static async Task<(RuntimeHarness H, string RunId, string CallId)> WaitingRunAsync()
    {
        var h = new RuntimeHarness();
        h.AddTool("pay_invoice", ToolRisk.High);
        h.Define(AutonomyLevel.Manual);
        h.Script.ThenCalls(("c1", "pay_invoice", new { query = "invoice 42" })).ThenText("Paid.");
        await using var runtime = RuntimeWith(h, h.Tools, StartingConfig);
        var waiting = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        Assert.Equal(RunStatus.AwaitingApproval, waiting.Status);
        return (h, waiting.RunId, "c1");
    }

    [Fact]
    public async Task RunStarted_records_the_config_path_and_a_hash_of_the_tool_set_independent_of_order()
    {
        var h = new RuntimeHarness();
        h.AddTool("web_search");
        h.AddTool("read_file");
        h.Define();
        h.Script.ThenText("one").ThenText("two");
        var reversed = new ToolRegistry();
        foreach (var tool in h.Tools.Tools.Reverse())
        {
            reversed.Register(tool);
        }

        await using var first = RuntimeWith(h, h.Tools, StartingConfig);
        await using var second = RuntimeWith(h, reversed, "/srv/b/llm.yaml");
        var a = await first.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);
        var b = await second.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(StartingConfig, a.State.Start!.ConfigPath);
        Assert.Equal("/srv/b/llm.yaml", b.State.Start!.ConfigPath);
        var stored = (await h.EventsAsync(a.RunId))[0].Data;
        Assert.Equal(StartingConfig, stored.GetProperty("config_path").GetString());
        Assert.Matches("^[0-9a-f]{64}$", stored.GetProperty("tool_set_hash").GetString());
        Assert.Equal(a.State.Start.ToolSetHash, b.State.Start.ToolSetHash);
    }

    [Fact]
    public async Task A_runtime_without_the_runs_tools_refuses_to_approve_or_resume_it_and_records_nothing()
    {
        var (h, runId, callId) = await WaitingRunAsync();
        var before = await h.TypesAsync(runId);
        await using var elsewhere = RuntimeWith(h, new ToolRegistry(), "/home/me/other/llm.yaml");

        var approve = await Assert.ThrowsAsync<AgentRunException>(() => elsewhere.ApproveAsync(runId, callId, cancellationToken: Ct));
        var resume = await Assert.ThrowsAsync<AgentRunException>(() => elsewhere.ResumeAsync(runId, cancellationToken: Ct));

        Assert.Equal(AgentRunErrorKind.ToolsUnavailable, approve.Kind);
        Assert.Equal(AgentRunErrorKind.ToolsUnavailable, resume.Kind);
        Assert.Contains("needs tool(s) pay_invoice", approve.Message, StringComparison.Ordinal);
        Assert.Contains($"started with configuration '{StartingConfig}'", approve.Message, StringComparison.Ordinal);
        Assert.Contains("'/home/me/other/llm.yaml'", approve.Message, StringComparison.Ordinal);
        Assert.Equal(before, await h.TypesAsync(runId));
    }

    [Fact]
    public async Task The_run_is_approved_where_its_tools_are_and_the_override_drives_it_without_them()
    {
        var (h, runId, callId) = await WaitingRunAsync();
        await using var same = RuntimeWith(h, h.Tools, StartingConfig);
        var done = await same.ApproveAsync(runId, callId, cancellationToken: Ct);
        Assert.Equal(RunStatus.Completed, done.Status);
        Assert.Equal(ToolCallPhase.Completed, done.State.Calls[callId].Phase);

        var (h2, runId2, callId2) = await WaitingRunAsync();
        await using var forced = RuntimeWith(h2, new ToolRegistry(), "/home/me/other/llm.yaml", allowMissing: true);
        var result = await forced.ApproveAsync(runId2, callId2, cancellationToken: Ct);
        Assert.Equal(ToolCallPhase.Failed, result.State.Calls[callId2].Phase);
    }

    [Fact]
    public async Task Runs_stored_before_configuration_identity_and_finish_reasons_still_load_and_resume()
    {
        var h = new RuntimeHarness();
        h.Define();
        var started = new RunStarted
        {
            RunId = "run_old",
            AgentType = "researcher",
            Task = "t",
            SystemPrompt = "s",
            UserMessage = "Task: t",
            Settings = new RunSettings { Autonomy = "autonomous", MaxIterations = 3, MaxParallelTools = 1, Tools = ["web_search"] },
        };
        var message = new AssistantMessage { Iteration = 1, Text = "An old answer." };
        await h.Store.AppendAsync(
            RunEventCodec.StreamId("run_old"),
            ExpectedVersion.NoStream,
            [Old(started, "config_path", "tool_set_hash"), Old(new LlmCallCompleted { Iteration = 1, FinishReason = "stop" }), Old(message, "finish_reason")],
            Ct);
        await using var runtime = RuntimeWith(h, new ToolRegistry(), "/srv/new/llm.yaml");

        var state = await runtime.GetRunAsync("run_old", Ct);
        Assert.NotNull(state);
        Assert.Null(state.Start!.ConfigPath);
        Assert.Null(state.Turns[^1].FinishReason);
        var refused = await Assert.ThrowsAsync<AgentRunException>(() => runtime.ResumeAsync("run_old", cancellationToken: Ct));
        Assert.Contains("not recorded", refused.Message, StringComparison.Ordinal);

        await using var lenient = RuntimeWith(h, new ToolRegistry(), "/srv/new/llm.yaml", allowMissing: true);
        var resumed = await lenient.ResumeAsync("run_old", cancellationToken: Ct);
        Assert.Equal(RunStatus.Completed, resumed.Status);
        Assert.Equal("An old answer.", resumed.Result);
    }

    /// <summary>The event as an older writer stored it: without the named (newer) properties.</summary>
    private static EventData Old(RunEvent @event, params string[] newer)
    {
        var node = JsonNode.Parse(RunEventCodec.Serialize(@event).GetRawText())!.AsObject();
        foreach (var name in newer)
        {
            Assert.True(node.Remove(name), $"'{name}' is not in the payload");
        }

        return new EventData(Guid.NewGuid(), RunEventCodec.TypeName(@event), JsonDocument.Parse(node.ToJsonString()).RootElement.Clone(), new EventMetadata());
    }
}
