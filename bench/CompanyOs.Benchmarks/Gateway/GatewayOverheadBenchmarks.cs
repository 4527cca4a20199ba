using System.Diagnostics.Metrics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Gateway.Stats;
using CompanyOs.Llm.Providers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Benchmarks.Gateway;

/// <summary>
/// Per-call overhead of the whole gateway pipeline (routing, accounting, budgets, cache check, fallback, Polly retry and
/// breaker, RPM/TPM limiter, per-attempt timeout) over a provider that answers instantly, against calling that provider bare.
/// </summary>
[MemoryDiagnoser]
public class GatewayOverheadBenchmarks : IDisposable
{
    private readonly List<ChatMessage> _messages = [new(ChatRole.User, "Summarise the quarterly report in three bullet points.")];
    private readonly FakeTimeProvider _time = new();
    private NoOpChatClient _bare = null!;
    private LlmGateway _gateway = null!;
    private LlmGateway _limited = null!;
    private LlmGateway _metered = null!;
    private MeterListener _listener = null!;
    private ChatOptions _attributed = null!;
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
        _limited = LlmGateway.CreateBuilder(limits, new Factory(_bare)).WithTimeProvider(_time).Build();
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
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _gateway?.Dispose();
        _limited?.Dispose();
        _listener?.Dispose();
        _metered?.Dispose();
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
    public Task<ChatResponse> Gateway_with_limits_and_budgets()
    {
        // The limiter keeps one entry per request for 60 s: move the fake clock so the log stays at a realistic size.
        if (++_calls % 10_000 == 0)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        return _limited.GetResponseAsync(_messages, _attributed);
    }

    /// <summary>
    /// The same with a prompt the gateway has not seen before on every call, so its prompt token estimate is tokenized afresh
    /// (the token count cache misses). The benchmark builds the message itself (≈ 200 B of the allocation).
    /// </summary>
    [Benchmark]
    public Task<ChatResponse> Gateway_with_limits_and_budgets_new_prompt()
    {
        if (++_calls % 10_000 == 0)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        List<ChatMessage> messages = [new(ChatRole.User, string.Create(CultureInfo.InvariantCulture, $"Summarise the quarterly report {_calls} in three bullet points."))];
        return _limited.GetResponseAsync(messages, _attributed);
    }

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

    private sealed class Factory(IChatClient client) : IProviderClientFactory
    {
        public IChatClient Create(ProviderOptions provider) => client;
    }
}
