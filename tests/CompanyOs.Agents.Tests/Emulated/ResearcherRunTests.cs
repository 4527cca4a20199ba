using System.Text.Json;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;

namespace CompanyOs.Agents.Tests.Emulated;

/// <summary>
/// A researcher run through the real stack: emulator on 127.0.0.1 → real provider client → gateway pipeline → agent
/// runtime, with two registered test tools — on every event store (in-memory, SQLite on a temp file, PostgreSQL).
/// </summary>
public abstract class ResearcherRunTests : IAsyncLifetime
{
    private TestStore? _test;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CompanyOs.Events.IEventStore Store => _test!.Store;

    public async ValueTask InitializeAsync() => _test = await OpenAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        if (_test is not null)
        {
            await _test.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private protected abstract Task<TestStore> OpenAsync(CancellationToken cancellationToken);

    [Theory]
    [InlineData(ProviderKind.OpenAI)]
    [InlineData(ProviderKind.Anthropic)]
    public async Task Two_parallel_tool_calls_then_answer_run_through_emulator_gateway_and_store(ProviderKind kind)
    {
        await using var model = await EmulatedModel.StartAsync(kind, Ct);
        model.Enqueue(
            ScriptedTurn.ToolCalls(("web_search", """{"query":"alpha"}"""), ("read_file", """{"query":"beta"}""")),
            ScriptedTurn.Text("Alpha and beta are both covered."));
        var h = new RuntimeHarness(Store) { Chat = model.Gateway };
        var search = h.AddTool("web_search");
        var read = h.AddTool("read_file");
        h.Define();
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal("Alpha and beta are both covered.", result.Result);
        Assert.Equal(1, search.Executions);
        Assert.Equal(1, read.Executions);
        Assert.Equal("alpha", search.Arguments.Single().GetProperty("query").GetString());
        Assert.Equal("beta", read.Arguments.Single().GetProperty("query").GetString());

        var events = await h.EventsAsync(result.RunId);
        var types = events.Select(e => e.Type).ToList();
        Assert.Equal(["RunStarted", "LlmCallCompleted", "AssistantMessage", "ToolCallRequested", "ToolCallRequested"], types[..5]);
        Assert.Equal(["ToolCallCompleted", "ToolCallCompleted", "ToolCallStarted", "ToolCallStarted"], types[5..9].Order(StringComparer.Ordinal));
        Assert.Equal(["LlmCallCompleted", "AssistantMessage", "RunCompleted", "AgentReasoningCompleted"], types[9..]);

        foreach (var call in events.Where(e => e.Type == "LlmCallCompleted").Select(e => e.Data))
        {
            Assert.Equal("a", call.GetProperty("provider").GetString());
            Assert.StartsWith(model.Model, call.GetProperty("model").GetString(), StringComparison.Ordinal);
            Assert.True(call.GetProperty("input_tokens").GetInt64() > 0);
            Assert.True(call.GetProperty("output_tokens").GetInt64() > 0);
            Assert.True(call.GetProperty("cost_usd").GetDecimal() > 0m);
        }

        // The call ids the model issued are the ones the tools completed under and the ones sent back to the model
        // (the emulator also rejects tool results that answer no preceding tool call, so a mismatch would fail the run).
        var requested = events.Where(e => e.Type == "ToolCallRequested").ToDictionary(
            e => e.Data.GetProperty("call_id").GetString()!, e => e.Data.GetProperty("tool_name").GetString());
        var completed = events.Where(e => e.Type == "ToolCallCompleted").ToDictionary(
            e => e.Data.GetProperty("call_id").GetString()!, e => e.Data.GetProperty("output").GetString()!);
        Assert.Equal(requested.Keys.Order(StringComparer.Ordinal), completed.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, model.ChatRequests().Count);
        Assert.Equal(completed.OrderBy(c => c.Key, StringComparer.Ordinal), model.ToolResultsIn(1).Select(r => KeyValuePair.Create(r.CallId, r.Content)).OrderBy(c => c.Key, StringComparer.Ordinal));

        Assert.Equal("web_search result for alpha", completed.Single(c => requested[c.Key] == "web_search").Value);
        Assert.Equal("read_file result for beta", completed.Single(c => requested[c.Key] == "read_file").Value);
    }

    [Fact]
    public async Task Provider_down_with_fallback_exhausted_fails_the_run_and_records_the_error_kind()
    {
        await using var model = await EmulatedModel.StartAsync(ProviderKind.OpenAI, Ct, fallback: ProviderKind.Anthropic);
        model.Server.Faults.Enqueue(Fault.Status(503), times: 50);
        var h = new RuntimeHarness(Store) { Chat = model.Gateway };
        var search = h.AddTool("web_search");
        h.Define();
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(0, search.Executions);
        Assert.True(model.Server.RequestCount(EmulatorRoute.OpenAIChatCompletions) >= 2, "provider a was retried");
        Assert.True(model.Server.RequestCount(EmulatorRoute.AnthropicMessages) >= 1, "fallback provider b was tried");
        var types = await h.TypesAsync(result.RunId);
        Assert.Equal(["RunStarted", "RunFailed", "AgentReasoningCompleted"], types);
        var failed = (await h.EventsAsync(result.RunId)).Single(e => e.Type == "RunFailed").Data;
        Assert.Equal(nameof(ProviderErrorKind.Unavailable), failed.GetProperty("error_kind").GetString());
        Assert.DoesNotContain("sk-test", failed.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_instances_resuming_one_run_at_once_drive_it_once()
    {
        await using var model = await EmulatedModel.StartAsync(ProviderKind.OpenAI, Ct);
        model.Enqueue(
            ScriptedTurn.ToolCalls(("web_search", """{"query":"alpha"}""")).AtPosition(0),
            ScriptedTurn.Text("One answer.").AtPosition(1));
        var h = new RuntimeHarness(Store) { Chat = model.Gateway };
        var search = h.AddTool("web_search");
        var gate = new TaskCompletionSource();
        search.OnInvoke = async (_, ct) =>
        {
            await gate.Task.WaitAsync(ct);
            return CompanyOs.Tools.ToolResult.Success("found alpha");
        };
        h.Define();
        await using var a = h.CreateRuntime(new CompanyOs.Agents.Runtime.AgentRuntimeOptions { InstanceId = "instance-a" });
        await using var b = h.CreateRuntime(new CompanyOs.Agents.Runtime.AgentRuntimeOptions { InstanceId = "instance-b" });
        var runId = await a.StartOnlyAsync(RuntimeHarness.Request(), Ct);

        // Both instances are told to drive the run at the same moment (say, two servers picking up the same work).
        var fromA = Task.Run(() => a.ResumeAsync(runId, cancellationToken: Ct), Ct);
        var fromB = Task.Run(() => b.ResumeAsync(runId, cancellationToken: Ct), Ct);
        var loser = await Task.WhenAny(fromA, fromB).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var winner = loser == fromA ? fromB : fromA;
        Assert.NotNull((await loser).DrivenBy);
        Assert.False(winner.IsCompleted);
        gate.SetResult();
        var result = await winner.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal("One answer.", result.Result);
        Assert.Null(result.DrivenBy);
        Assert.Equal(loser == fromA ? "instance-b" : "instance-a", (await loser).DrivenBy);
        Assert.Equal(1, search.Executions);
        var types = await h.TypesAsync(runId);
        Assert.Single(types, t => t == "ToolCallStarted");
        Assert.DoesNotContain("ToolCallInterrupted", types);
        Assert.Equal(2, model.ChatRequests().Count);
    }
}

public sealed class InMemoryResearcherRunTests : ResearcherRunTests
{
    private protected override Task<TestStore> OpenAsync(CancellationToken cancellationToken) => Task.FromResult(TestStore.InMemory());
}

public sealed class SqliteResearcherRunTests : ResearcherRunTests
{
    private protected override Task<TestStore> OpenAsync(CancellationToken cancellationToken) => TestStore.SqliteAsync(cancellationToken);
}

/// <summary>Needs the throw-away PostgreSQL that scripts/test.sh starts (COMPANYOS_TEST_POSTGRES); missing, the tests fail.</summary>
public sealed class PostgresResearcherRunTests : ResearcherRunTests
{
    private protected override Task<TestStore> OpenAsync(CancellationToken cancellationToken) => TestStore.PostgresAsync(cancellationToken);
}
