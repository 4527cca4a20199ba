using System.Diagnostics;
using System.Text.Json;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Telemetry;
using CompanyOs.Tools.Registry;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace CompanyOs.Agents.Tests.Emulated;

/// <summary>
/// The OpenTelemetry GenAI trace of one agent run on the real stack (emulator → SDK → gateway → runtime → tools), as an
/// OTel SDK exporter receives it: <c>invoke_agent</c> over the gateway's <c>chat</c> calls, their upstream attempts (retry
/// and fallback visible) and the <c>execute_tool</c> spans.
/// </summary>
public sealed class TracingTests
{
    private static readonly ActivitySource TestSource = new("CompanyOs.Agents.Tests.Tracing");

    private const string RootName = "tracing-test-root";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_with_fallback_and_tool_call_exports_the_GenAI_span_tree_without_contents()
    {
        var exported = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(TestSource.Name, AgentTelemetry.SourceName, GatewayTelemetry.SourceName, ToolTelemetry.SourceName)
            .SetSampler(new OneTraceSampler(RootName))
            .AddInMemoryExporter(exported)
            .Build();
        await using var model = await EmulatedModel.StartAsync(ProviderKind.OpenAI, Ct, fallback: ProviderKind.Anthropic);
        // Provider a answers 503 (unavailable) to its first attempt and its one retry: the first model turn falls back to provider b.
        model.Server.Faults.Enqueue(Fault.Status(503), times: 2);
        model.Enqueue(
            ScriptedTurn.ToolCalls(("web_search", """{"query":"alpha"}""")),
            ScriptedTurn.Text("Alpha is covered."));
        var h = new RuntimeHarness { Chat = model.Gateway };
        var search = h.AddTool("web_search");
        h.Define();
        await using var runtime = h.CreateRuntime();

        AgentRunResult result;
        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity(RootName))
        {
            Assert.NotNull(root);
            traceId = root.TraceId;
            result = await runtime.RunAsync(RuntimeHarness.Request(task: "secret task text"), cancellationToken: Ct);
        }

        tracing.ForceFlush();
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(1, search.Executions);
        var spans = exported.Where(a => a.Source.Name != TestSource.Name).ToList();
        Assert.All(spans, a => Assert.Equal(traceId, a.TraceId));
        var byId = spans.ToDictionary(a => a.SpanId);

        var agent = Assert.Single(spans, a => a.Source.Name == AgentTelemetry.SourceName);
        Assert.Equal("invoke_agent researcher", agent.DisplayName);
        Assert.Equal("invoke_agent", agent.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("researcher", agent.GetTagItem("gen_ai.agent.name"));
        Assert.Equal(result.RunId, agent.GetTagItem("gen_ai.conversation.id"));
        Assert.Equal("Completed", agent.GetTagItem("companyos.run.status"));

        // Two gateway calls (tool turn, answer turn), both children of the agent span.
        var calls = spans.Where(a => a.Source.Name == GatewayTelemetry.SourceName && a.Kind == ActivityKind.Internal).OrderBy(a => a.StartTimeUtc).ToList();
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c =>
        {
            Assert.Equal(agent.SpanId, c.ParentSpanId);
            Assert.Equal("chat", c.GetTagItem("gen_ai.operation.name"));
            Assert.Equal("gpt-4o-mini", c.GetTagItem("gen_ai.request.model"));
            Assert.True((long)c.GetTagItem("gen_ai.usage.input_tokens")! > 0);
            Assert.True((long)c.GetTagItem("gen_ai.usage.output_tokens")! > 0);
            Assert.NotNull(c.GetTagItem("gen_ai.response.model"));
            Assert.NotEmpty((string[])c.GetTagItem("gen_ai.response.finish_reasons")!);
            Assert.Null(c.GetTagItem("error.type"));
        });

        // The first call: attempt on a (503), its retry (503), then the fallback to b that answered.
        var first = calls[0];
        Assert.Equal("anthropic", first.GetTagItem("gen_ai.provider.name")); // the provider that answered
        Assert.Equal("b", first.GetTagItem("companyos.provider"));
        Assert.Equal("claude-3-5-haiku-20241022", first.GetTagItem("gen_ai.response.model"));
        Assert.Equal(["tool_calls"], (string[])first.GetTagItem("gen_ai.response.finish_reasons")!);
        var attempts = spans.Where(a => a.ParentSpanId == first.SpanId).OrderBy(a => a.StartTimeUtc).ToList();
        Assert.Equal(["first", "retry", "fallback"], attempts.Select(a => (string)a.GetTagItem(GatewayTelemetry.AttemptKindTag)!));
        Assert.All(attempts, a => Assert.Equal(ActivityKind.Client, a.Kind));
        Assert.Equal(["openai", "openai", "anthropic"], attempts.Select(a => (string)a.GetTagItem("gen_ai.provider.name")!));
        Assert.Equal(["gpt-4o-mini", "gpt-4o-mini", "claude-3-5-haiku-20241022"], attempts.Select(a => (string)a.GetTagItem("gen_ai.request.model")!));
        Assert.Equal(["unavailable", "unavailable", null], attempts.Select(a => (string?)a.GetTagItem("error.type")));
        Assert.Equal([ActivityStatusCode.Error, ActivityStatusCode.Error, ActivityStatusCode.Unset], attempts.Select(a => a.Status));

        // The tool call: a child of the agent span, named by the tool and the call id the model issued.
        var tool = Assert.Single(spans, a => a.Source.Name == ToolTelemetry.SourceName);
        Assert.Equal("execute_tool web_search", tool.DisplayName);
        Assert.Equal(agent.SpanId, tool.ParentSpanId);
        Assert.Equal("execute_tool", tool.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("web_search", tool.GetTagItem("gen_ai.tool.name"));
        var callId = result.State.Calls.Values.Single().CallId;
        Assert.Equal(callId, tool.GetTagItem("gen_ai.tool.call.id"));
        Assert.True(tool.StartTimeUtc >= first.StartTimeUtc + first.Duration && tool.StartTimeUtc + tool.Duration <= calls[1].StartTimeUtc);

        // Every span hangs off this run's tree; no message content (off by default), task or key is recorded anywhere.
        Assert.All(spans, a => Assert.DoesNotContain(a.TagObjects, t => t.Key is "gen_ai.input.messages" or "gen_ai.output.messages"
            or "gen_ai.tool.call.arguments" or "gen_ai.tool.call.result"));
        Assert.All(spans.Where(a => a != agent), a => Assert.True(byId.ContainsKey(a.ParentSpanId), a.DisplayName));
        var values = spans.SelectMany(a => a.TagObjects).Select(t => t.Value is string[] many ? string.Join(",", many) : t.Value?.ToString() ?? "").ToList();
        Assert.DoesNotContain(values, v => v.Contains("secret task", StringComparison.Ordinal) || v.Contains("alpha", StringComparison.Ordinal)
            || v.Contains("sk-test", StringComparison.Ordinal) || v.Contains("Alpha is covered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Message_contents_are_on_the_spans_only_when_opted_in_and_keys_never()
    {
        var exported = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(TestSource.Name, AgentTelemetry.SourceName, GatewayTelemetry.SourceName, ToolTelemetry.SourceName)
            .SetSampler(new OneTraceSampler(RootName))
            .AddInMemoryExporter(exported)
            .Build();
        await using var model = await EmulatedModel.StartAsync(ProviderKind.OpenAI, Ct, fallback: ProviderKind.Anthropic, recordContents: true);
        model.Server.Faults.Enqueue(Fault.Status(503), times: 2);
        model.Enqueue(
            ScriptedTurn.ToolCalls(("web_search", """{"query":"alpha"}""")),
            ScriptedTurn.Text("Alpha is covered."));
        var h = new RuntimeHarness { Chat = model.Gateway };
        h.AddTool("web_search");
        h.Define();
        await using var runtime = h.CreateRuntime(new AgentRuntimeOptions { RecordContents = true });

        using (TestSource.StartActivity(RootName))
        {
            Assert.Equal(RunStatus.Completed, (await runtime.RunAsync(RuntimeHarness.Request(task: "secret task text"), cancellationToken: Ct)).Status);
        }

        tracing.ForceFlush();
        var spans = exported.Where(a => a.Source.Name != TestSource.Name).ToList();
        var calls = spans.Where(a => a.Source.Name == GatewayTelemetry.SourceName && a.Kind == ActivityKind.Internal).OrderBy(a => a.StartTimeUtc).ToList();
        Assert.Equal(2, calls.Count);

        // The first call: the task went in (GenAI message JSON), the tool call came out.
        using var input = JsonDocument.Parse((string)calls[0].GetTagItem("gen_ai.input.messages")!);
        var user = input.RootElement.EnumerateArray().Single(m => m.GetProperty("role").GetString() == "user");
        Assert.Contains("secret task text", user.GetProperty("parts")[0].GetProperty("content").GetString(), StringComparison.Ordinal);
        using var output = JsonDocument.Parse((string)calls[0].GetTagItem("gen_ai.output.messages")!);
        var call = output.RootElement[0].GetProperty("parts").EnumerateArray().Single(p => p.GetProperty("type").GetString() == "tool_call");
        Assert.Equal(("web_search", "alpha"), (call.GetProperty("name").GetString(), call.GetProperty("arguments").GetProperty("query").GetString()));
        Assert.Equal("tool_calls", output.RootElement[0].GetProperty("finish_reason").GetString());

        // The second call: the tool's result went in, the answer came out.
        using var second = JsonDocument.Parse((string)calls[1].GetTagItem("gen_ai.input.messages")!);
        Assert.Contains(second.RootElement.EnumerateArray().SelectMany(m => m.GetProperty("parts").EnumerateArray()), p => p.GetProperty("type").GetString() == "tool_call_response");
        Assert.Contains("Alpha is covered.", (string)calls[1].GetTagItem("gen_ai.output.messages")!, StringComparison.Ordinal);

        // Tool arguments and result on the tool span; nothing on the attempt spans.
        var tool = Assert.Single(spans, a => a.Source.Name == ToolTelemetry.SourceName);
        Assert.Equal("""{"query":"alpha"}""", tool.GetTagItem("gen_ai.tool.call.arguments"));
        Assert.NotNull(tool.GetTagItem("gen_ai.tool.call.result"));
        Assert.All(spans.Where(a => a.Kind == ActivityKind.Client), a => Assert.Null(a.GetTagItem("gen_ai.input.messages")));

        // Contents on, keys still never.
        var values = spans.SelectMany(a => a.TagObjects).Select(t => t.Value is string[] many ? string.Join(",", many) : t.Value?.ToString() ?? "");
        Assert.DoesNotContain(values, v => v.Contains("sk-test", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_drive_on_another_instance_continues_the_trace_the_run_was_started_in()
    {
        var exported = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(TestSource.Name, AgentTelemetry.SourceName, GatewayTelemetry.SourceName, ToolTelemetry.SourceName)
            .SetSampler(new OneTraceSampler(RootName))
            .AddInMemoryExporter(exported)
            .Build();
        await using var model = await EmulatedModel.StartAsync(ProviderKind.OpenAI, Ct);
        model.Enqueue(ScriptedTurn.Text("Done."));
        var h = new RuntimeHarness { Chat = model.Gateway };
        h.Define();
        await using var a = h.CreateRuntime(new AgentRuntimeOptions { InstanceId = "instance-a" });
        await using var b = h.CreateRuntime(new AgentRuntimeOptions { InstanceId = "instance-b" });

        string runId;
        ActivityContext onA;
        using (var startedOnA = TestSource.StartActivity(RootName))
        {
            onA = startedOnA!.Context;
            runId = await a.StartOnlyAsync(RuntimeHarness.Request(), Ct);
        }

        ActivityContext onB;
        AgentRunResult result;
        using (var resumedOnB = TestSource.StartActivity(RootName))
        {
            onB = resumedOnB!.Context;
            result = await b.ResumeAsync(runId, cancellationToken: Ct);
        }

        tracing.ForceFlush();
        Assert.Equal(RunStatus.Completed, result.Status);
        var agent = Assert.Single(exported, s => s.Source.Name == AgentTelemetry.SourceName);
        Assert.Equal(onA.TraceId, agent.TraceId);
        Assert.Equal(onA.SpanId, agent.ParentSpanId);
        Assert.Equal(onB.TraceId, Assert.Single(agent.Links).Context.TraceId);
        var chat = Assert.Single(exported, s => s.Source.Name == GatewayTelemetry.SourceName && s.Kind == ActivityKind.Internal);
        Assert.Equal(agent.SpanId, chat.ParentSpanId);
    }

    /// <summary>
    /// Samples the test's root span and its trace only: other tests in this process use the same sources at the same time,
    /// and their spans must neither mix into the assertions nor be added to the exporter's list while it is read.
    /// </summary>
    private sealed class OneTraceSampler(string rootName) : Sampler
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<ActivityTraceId, bool> _traces = new();

        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
        {
            if (samplingParameters.Name == rootName && samplingParameters.ParentContext.TraceId == default)
            {
                _traces[samplingParameters.TraceId] = true;
                return new SamplingResult(SamplingDecision.RecordAndSample);
            }

            return new SamplingResult(_traces.ContainsKey(samplingParameters.TraceId) ? SamplingDecision.RecordAndSample : SamplingDecision.Drop);
        }
    }
}
