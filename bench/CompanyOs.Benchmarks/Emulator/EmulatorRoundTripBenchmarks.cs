using System.Text;
using BenchmarkDotNet.Attributes;
using CompanyOs.Emulator;

namespace CompanyOs.Benchmarks.Emulator;

/// <summary>
/// Cost of one emulated provider call over loopback HTTP (request parse, scripted model with o200k token counting,
/// response rendering), against the cheapest route the server has (<c>GET /api/version</c>, no pipeline) as baseline.
/// Tells test and benchmark authors how much of a measured time is the emulator itself.
/// </summary>
[MemoryDiagnoser]
public class EmulatorRoundTripBenchmarks : IDisposable
{
    private const string OpenAIJson = """{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Summarise the design of an LLM gateway in two sentences."}]}""";
    private const string OpenAIStream = """{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Summarise the design of an LLM gateway in two sentences."}]}""";
    private const string AnthropicStream = """{"model":"claude-sonnet-4-5-20250929","max_tokens":512,"stream":true,"system":"Be brief.","messages":[{"role":"user","content":"Summarise the design of an LLM gateway in two sentences."}]}""";
    private const string OpenAITools = """{"model":"gpt-4o","messages":[{"role":"user","content":"Find the docs"}],"tools":[{"type":"function","function":{"name":"web_search","parameters":{"type":"object","properties":{"query":{"type":"string"}},"required":["query"]}}},{"type":"function","function":{"name":"read_file","parameters":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}}}]}""";

    private EmulatorServer? _server;
    private HttpClient? _http;

    [GlobalSetup]
    public void Setup()
    {
        _server = EmulatorServer.StartAsync(new EmulatorOptions { MaxRecordedRequests = 0 }).GetAwaiter().GetResult();
        _http = new HttpClient { BaseAddress = _server.BaseUri };
    }

    [GlobalCleanup]
    public void Cleanup() => Dispose();

    [Benchmark(Baseline = true)]
    public Task<string> Version_route() => _http!.GetStringAsync("api/version");

    [Benchmark]
    public Task<string> OpenAI_json_completion() => PostAsync("v1/chat/completions", OpenAIJson);

    [Benchmark]
    public Task<string> OpenAI_json_two_tool_calls() => PostAsync("v1/chat/completions", OpenAITools);

    [Benchmark]
    public Task<string> OpenAI_sse_stream() => PostAsync("v1/chat/completions", OpenAIStream);

    [Benchmark]
    public Task<string> Anthropic_sse_stream() => PostAsync("v1/messages", AnthropicStream);

    public void Dispose()
    {
        _http?.Dispose();
        _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _http = null;
        _server = null;
        GC.SuppressFinalize(this);
    }

    private async Task<string> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _http!.PostAsync(path, content);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }
}
