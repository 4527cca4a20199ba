using System.Diagnostics.Metrics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Gateway.Stats;
using CompanyOs.Llm.PassThrough;
using CompanyOs.Llm.Providers;
using Microsoft.Extensions.AI;

namespace CompanyOs.Benchmarks.Gateway;

/// <summary>
/// Per-call overhead of the whole gateway pipeline (routing, accounting, budgets, cache check, fallback, Polly retry and
/// breaker, RPM/TPM limiter, per-attempt timeout) over a provider that answers instantly, against calling that provider bare.
/// </summary>
[MemoryDiagnoser]
public class GatewayOverheadBenchmarks : IDisposable
{
    private readonly List<ChatMessage> _messages = [new(ChatRole.User, "Summarise the quarterly report in three bullet points.")];
    private NoOpChatClient _bare = null!;
    private LlmGateway _gateway = null!;
    private LlmGateway _limited = null!;
    private LlmGateway _metered = null!;
    private MeterListener _listener = null!;
    private ChatOptions _attributed = null!;
    private LlmGateway _passThrough = null!;
    private ChatOptions _passThroughOptions = null!;
    private int _calls;

    [GlobalSetup]
    public void Setup()
    {
        _bare = new NoOpChatClient();
        var provider = new ProviderOptions { Name = "p", Kind = ProviderKind.OpenAI, DefaultModel = "gpt-4o-mini", FallbackProvider = "q" };
        var fallback = new ProviderOptions { Name = "q", Kind = ProviderKind.Anthropic, DefaultModel = "claude-3-5-haiku-20241022" };
        var options = new LlmOptions { Providers = new Dictionary<string, ProviderOptions> { ["p"] = provider, ["q"] = fallback } };
        _gateway = LlmGateway.CreateBuilder(options, new Factory(_bare)).Build();

        var limits = options with
        {
            Providers = new Dictionary<string, ProviderOptions> { ["p"] = provider with { RateLimitRpm = 1_000_000_000, RateLimitTpm = 2_000_000_000 }, ["q"] = fallback },
            Budgets = new BudgetOptions { DefaultOrg = new BudgetLimit(MaxUsd: 1_000_000_000m), PerRun = new BudgetLimit(MaxTokens: long.MaxValue / 2) },
        };
        // On the system clock, as the server runs it. (Until 2026-12-02 this gateway ran on a FakeTimeProvider, whose timers are
        // objects of its own: every call then made Polly's deadline source and the per-attempt timeout source anew, each with a
        // fake timer — ≈ 450 B and the largest part of the time this case added over the default pipeline, which production,
        // pooling and reusing both sources on the system clock, never pays.) Limits so high that no call waits: the provider's
        // usage (15 tokens) corrects each admission, the window turns over by itself.
        _limited = LlmGateway.CreateBuilder(limits, new Factory(_bare)).Build();
        // The same default pipeline with every instrument of its meter enabled: what recording the metrics costs the gateway
        // itself (tags, the histogram and counter calls), without an SDK's aggregation behind the listener.
        _metered = LlmGateway.CreateBuilder(options, new Factory(_bare)).Build();
        var scope = _metered.GetService<GatewayStats>();
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == scope)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        _listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _listener.Start();
        _attributed = new ChatOptions { MaxOutputTokens = 256 }.WithCallContext(new LlmCallContext { OrgId = "acme", AgentType = "researcher", RunId = "run-1" });

        // The HTTP bench's server configuration (bench/http): one OpenAI provider, no fallback, RPM/TPM limits set high, 2
        // retries, 30 s timeout, an org budget, on the system clock; the client's bytes passed through the real provider client
        // and HttpClient to an in-memory upstream that answers at once.
        var upstream = new ProviderOptions
        {
            Name = "h", Kind = ProviderKind.OpenAI, ApiKey = "sk-bench", BaseUrl = new Uri("http://upstream.invalid/v1/"), DefaultModel = "gpt-4o",
            RateLimitRpm = 1_000_000_000, RateLimitTpm = 1_000_000_000, MaxRetries = 2, Timeout = TimeSpan.FromSeconds(30),
        };
        var server = new LlmOptions
        {
            Providers = new Dictionary<string, ProviderOptions> { ["h"] = upstream },
            Budgets = new BudgetOptions { Orgs = new Dictionary<string, BudgetLimit> { ["bench"] = new BudgetLimit(MaxUsd: 1_000_000m, MaxTokens: 1_000_000_000_000) } },
        };
        _passThrough = LlmGateway.CreateBuilder(server, new ProviderClientFactory(handlerFactory: () => new CannedUpstream())).Build();
        _passThroughOptions = PassThroughRequest.TryCreate(CannedUpstream.Request)!
            .AttachTo(new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 16 }.WithCallContext(new LlmCallContext { OrgId = "bench" }));
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _gateway?.Dispose();
        _limited?.Dispose();
        _listener?.Dispose();
        _metered?.Dispose();
        _passThrough?.Dispose();
        _bare?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> Bare_provider() => _bare.GetResponseAsync(_messages);

    [Benchmark]
    public Task<ChatResponse> Gateway_default() => _gateway.GetResponseAsync(_messages);

    [Benchmark]
    public Task<ChatResponse> Gateway_default_metered() => _metered.GetResponseAsync(_messages);

    [Benchmark]
    public Task<ChatResponse> Gateway_with_limits_and_budgets() => _limited.GetResponseAsync(_messages, _attributed);

    /// <summary>
    /// The same with a prompt the gateway has not seen before on every call, so its prompt token estimate is tokenized afresh
    /// (the token count cache misses). The benchmark builds the message itself (≈ 200 B of the allocation).
    /// </summary>
    [Benchmark]
    public Task<ChatResponse> Gateway_with_limits_and_budgets_new_prompt()
    {
        _calls++;
        List<ChatMessage> messages = [new(ChatRole.User, string.Create(CultureInfo.InvariantCulture, $"Summarise the quarterly report {_calls} in three bullet points."))];
        return _limited.GetResponseAsync(messages, _attributed);
    }

    /// <summary>
    /// The HTTP bench's request through the server's configuration of the gateway, passed through the OpenAI provider client
    /// and its HttpClient to an upstream in memory: the gateway's and the provider client's own cost on the server's path
    /// (sockets, Kestrel and the upstream excluded; the upstream answers synchronously, so no continuations are scheduled).
    /// </summary>
    [Benchmark]
    public Task<ChatResponse> Gateway_server_config_pass_through() => _passThrough.GetResponseAsync(_messages, _passThroughOptions);

    [Benchmark]
    public async Task<int> Bare_provider_streaming()
    {
        var n = 0;
        await foreach (var _ in _bare.GetStreamingResponseAsync(_messages))
        {
            n++;
        }

        return n;
    }

    [Benchmark]
    public async Task<int> Gateway_default_streaming()
    {
        var n = 0;
        await foreach (var _ in _gateway.GetStreamingResponseAsync(_messages))
        {
            n++;
        }

        return n;
    }

    /// <summary>nginx's canned answer of bench/http, from memory.</summary>
    private sealed class CannedUpstream : HttpMessageHandler
    {
        public static readonly byte[] Request = """{"model":"gpt-4o","messages":[{"role":"user","content":"Say hello."}],"max_tokens":16}"""u8.ToArray();

        private static readonly byte[] Answer = """{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":9,"total_tokens":19}}"""u8.ToArray();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(Answer);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            content.Headers.ContentLength = Answer.Length;
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }

    private sealed class Factory(IChatClient client) : IProviderClientFactory
    {
        public IChatClient Create(ProviderOptions provider) => client;
    }
}
