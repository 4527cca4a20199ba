using System.ClientModel;
using System.ClientModel.Primitives;
using BenchmarkDotNet.Attributes;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Providers;
using Microsoft.Extensions.AI;
using OpenAI;

namespace CompanyOs.Benchmarks.Providers;

/// <summary>
/// Cost of our provider wrapper (alias resolution, timeout, HTTP observation, error boundary, usage normalisation) on top
/// of the bare OpenAI SDK adapter, both over the same in-memory HTTP handler.
/// </summary>
[MemoryDiagnoser]
public class ProviderOverheadBenchmarks
{
    private readonly List<ChatMessage> _messages = [new(ChatRole.User, "Explain event sourcing in one sentence.")];
    private IChatClient _bare = null!;
    private IChatClient _wrapped = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri("http://127.0.0.1:1/v1"),
            RetryPolicy = new ClientRetryPolicy(0),
            Transport = new HttpClientPipelineTransport(new HttpClient(new CannedOpenAIHandler())),
        };
        _bare = new OpenAIClient(new ApiKeyCredential("k"), options).GetChatClient("gpt-4o-mini").AsIChatClient();
        _wrapped = new ProviderClientFactory(handlerFactory: () => new CannedOpenAIHandler()).Create(new ProviderOptions
        {
            Name = "openai",
            Kind = ProviderKind.OpenAI,
            ApiKey = "k",
            BaseUrl = new Uri("http://127.0.0.1:1/v1"),
            DefaultModel = "gpt-4o-mini",
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bare.Dispose();
        _wrapped.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> BareSdkAdapter() => _bare.GetResponseAsync(_messages);

    [Benchmark]
    public Task<ChatResponse> ProviderChatClient() => _wrapped.GetResponseAsync(_messages);
}
