using System.Text.Json;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Events.Sqlite;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;

namespace CompanyOs.Agents.Tests.Emulated;

/// <summary>
/// A researcher run through the real stack: emulator on 127.0.0.1 → real provider client → gateway pipeline →
/// agent runtime over a SQLite event store on a temp file, with two registered test tools.
/// </summary>
public sealed class ResearcherRunTests : IAsyncLifetime
{
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"companyos-agents-emu-{Guid.NewGuid():N}.db");
    private SqliteEventStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = _db }, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        foreach (var file in new[] { _db, _db + "-wal", _db + "-shm" })
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(ProviderKind.OpenAI)]
    [InlineData(ProviderKind.Anthropic)]
    public async Task Two_parallel_tool_calls_then_answer_run_through_emulator_gateway_and_sqlite(ProviderKind kind)
    {
        await using var model = await EmulatedModel.StartAsync(kind, Ct);
        model.Enqueue(
            ScriptedTurn.ToolCalls(("web_search", """{"query":"alpha"}"""), ("read_file", """{"query":"beta"}""")),
            ScriptedTurn.Text("Alpha and beta are both covered."));
        var h = new RuntimeHarness(_store) { Chat = model.Gateway };
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
        var h = new RuntimeHarness(_store) { Chat = model.Gateway };
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
}
