using System.Collections.Concurrent;
using System.Diagnostics;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Caching;
using CompanyOs.Llm.Gateway.Telemetry;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway.Telemetry;

/// <summary>The gateway's spans for calls the agent test does not make: a cache hit (no attempt), streamed calls.</summary>
public sealed class GatewayTracingTests : IDisposable
{
    private const string TestSourceName = "CompanyOs.Llm.Tests.Tracing";
    private static readonly ActivitySource TestSource = new(TestSourceName);
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;
    private readonly FakeProviderFactory _factory = new(TimeProvider.System);

    public GatewayTracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is GatewayTelemetry.SourceName or TestSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_cache_hit_is_marked_and_has_no_attempt_while_the_miss_has_one(bool streaming)
    {
        using var gateway = LlmGateway.CreateBuilder(TestOptions.Create() with { Cache = new ResponseCacheOptions { Enabled = false } }, _factory).Build();
        var ct = TestContext.Current.CancellationToken;
        var options = new ChatOptions { Temperature = 0 }.WithCallContext(new LlmCallContext { OrgId = "acme", UseCache = true });

        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("test"))
        {
            traceId = root!.TraceId;
            await GatewayCalls.CallAsync(gateway, streaming, options, cancellationToken: ct);
            await GatewayCalls.CallAsync(gateway, streaming, options, cancellationToken: ct);
        }

        var spans = _stopped.Where(a => a.TraceId == traceId && a.Source.Name == GatewayTelemetry.SourceName).ToList();
        var calls = spans.Where(a => a.Kind == ActivityKind.Internal).OrderBy(a => a.StartTimeUtc).ToList();
        Assert.Equal(2, calls.Count);
        var (miss, hit) = (calls[0], calls[1]);
        Assert.Null(miss.GetTagItem(GatewayTelemetry.CacheHitTag));
        Assert.True(miss.GetTagItem("gen_ai.usage.output_tokens") is long output && output > 0);
        Assert.NotEmpty((string[])miss.GetTagItem("gen_ai.response.finish_reasons")!);
        var attempt = Assert.Single(spans, a => a.ParentSpanId == miss.SpanId);
        Assert.Equal(ActivityKind.Client, attempt.Kind);
        Assert.Equal("first", attempt.GetTagItem(GatewayTelemetry.AttemptKindTag));
        Assert.Equal("acme", miss.GetTagItem("companyos.org"));

        Assert.Equal(true, hit.GetTagItem(GatewayTelemetry.CacheHitTag));
        Assert.Null(hit.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.DoesNotContain(spans, a => a.ParentSpanId == hit.SpanId);
        Assert.All(calls, c => Assert.Equal("chat", c.GetTagItem("gen_ai.operation.name")));
    }

    [Fact]
    public async Task After_a_traced_call_the_callers_current_activity_is_its_own_again()
    {
        using var gateway = LlmGateway.CreateBuilder(TestOptions.Create(), _factory).Build();
        var ct = TestContext.Current.CancellationToken;
        using var root = TestSource.StartActivity("caller");

        await gateway.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions(), ct);

        // A span started in a synchronous stage would stay Activity.Current for the caller after the call ended, and the
        // caller's next spans (a tool, the next call) would hang under it.
        Assert.Same(root, Activity.Current);
    }
}
