using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.PassThrough;
using CompanyOs.Llm.Providers;
using Microsoft.Extensions.AI;

namespace CompanyOs.Benchmarks.Wire;

/// <summary>
/// One provider call over an in-memory HTTP handler that answers a canned body (no sockets): the wire work of each path —
/// the OpenAI request serialised and its <c>chat.completion</c> / SSE chunks translated into Microsoft.Extensions.AI types
/// (the converting path, the OpenAI SDK), the client's own bytes forwarded with only usage read (the pass-through path),
/// and the Anthropic message / event stream translated. Same-run baseline per category: the same HTTP exchange with an
/// <see cref="HttpClient"/> over the same handler, the body read and discarded (the transport without any wire work).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ProviderWireBenchmarks : IDisposable
{
    private static readonly Uri Endpoint = new("http://127.0.0.1:1/v1/chat/completions");
    private readonly List<ChatMessage> _messages =
    [
        new(ChatRole.System, "You are terse."),
        new(ChatRole.User, "Explain event sourcing in one sentence."),
    ];

    private readonly ChatOptions _options = new() { MaxOutputTokens = 256, Temperature = 0.2f };
    private HttpClient _httpJson = null!;
    private HttpClient _httpSse = null!;
    private IChatClient _openAIJson = null!;
    private IChatClient _openAISse = null!;
    private IChatClient _anthropicJson = null!;
    private IChatClient _anthropicSse = null!;
    private ChatOptions _passThrough = null!;
    private ChatOptions _passThroughStream = null!;

    [GlobalSetup]
    public void Setup()
    {
        _httpJson = new HttpClient(new CannedHandler(WirePayloads.OpenAICompletion, "application/json"));
        _httpSse = new HttpClient(new CannedHandler(WirePayloads.OpenAISse, "text/event-stream"));
        _openAIJson = Provider(ProviderKind.OpenAI, WirePayloads.OpenAICompletion, "application/json");
        _openAISse = Provider(ProviderKind.OpenAI, WirePayloads.OpenAISse, "text/event-stream");
        _anthropicJson = Provider(ProviderKind.Anthropic, WirePayloads.AnthropicMessage, "application/json");
        _anthropicSse = Provider(ProviderKind.Anthropic, WirePayloads.AnthropicSse, "text/event-stream");
        _passThrough = (PassThroughRequest.TryCreate(WirePayloads.OpenAIRequest) ?? throw new InvalidOperationException("request not pass-through"))
            .AttachTo(new ChatOptions());
        _passThroughStream = (PassThroughRequest.TryCreate(WirePayloads.OpenAIStreamRequest) ?? throw new InvalidOperationException("request not pass-through"))
            .AttachTo(new ChatOptions());
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _httpJson?.Dispose();
        _httpSse?.Dispose();
        _openAIJson?.Dispose();
        _openAISse?.Dispose();
        _anthropicJson?.Dispose();
        _anthropicSse?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("json")]
    public async Task<int> Http_only() => await Exchange(_httpJson, WirePayloads.OpenAIRequest).ConfigureAwait(false);

    [Benchmark]
    [BenchmarkCategory("json")]
    public Task<ChatResponse> OpenAI_converting() => _openAIJson.GetResponseAsync(_messages, _options);

    [Benchmark]
    [BenchmarkCategory("json")]
    public Task<ChatResponse> OpenAI_pass_through() => _openAIJson.GetResponseAsync(_messages, _passThrough);

    [Benchmark]
    [BenchmarkCategory("json")]
    public Task<ChatResponse> Anthropic_converting() => _anthropicJson.GetResponseAsync(_messages, _options);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("sse")]
    public async Task<int> Http_only_sse() => await Exchange(_httpSse, WirePayloads.OpenAIStreamRequest).ConfigureAwait(false);

    [Benchmark]
    [BenchmarkCategory("sse")]
    public Task<int> OpenAI_converting_sse() => Drain(_openAISse, _options);

    [Benchmark]
    [BenchmarkCategory("sse")]
    public Task<int> OpenAI_pass_through_sse() => Drain(_openAISse, _passThroughStream);

    [Benchmark]
    [BenchmarkCategory("sse")]
    public Task<int> Anthropic_converting_sse() => Drain(_anthropicSse, _options);

    private static IChatClient Provider(ProviderKind kind, byte[] body, string contentType) =>
        new ProviderClientFactory(handlerFactory: () => new CannedHandler(body, contentType)).Create(new ProviderOptions
        {
            Name = kind.ToString().ToLowerInvariant(),
            Kind = kind,
            ApiKey = "k",
            BaseUrl = new Uri(kind == ProviderKind.OpenAI ? "http://127.0.0.1:1/v1" : "http://127.0.0.1:1"),
            DefaultModel = kind == ProviderKind.OpenAI ? "gpt-4o" : "claude-3-5-haiku-20241022",
        });

    private static async Task<int> Exchange(HttpClient http, byte[] request)
    {
        using var content = new ByteArrayContent(request);
        content.Headers.ContentType = new("application/json");
        using var response = await http.PostAsync(Endpoint, content).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        return body.Length;
    }

    private async Task<int> Drain(IChatClient client, ChatOptions options)
    {
        var n = 0;
        await foreach (var update in client.GetStreamingResponseAsync(_messages, options).ConfigureAwait(false))
        {
            n += update.Contents.Count;
        }

        return n;
    }
}
