using BenchmarkDotNet.Attributes;
using CompanyOs.Llm.Tokens;
using Microsoft.Extensions.AI;

namespace CompanyOs.Benchmarks.Providers;

/// <summary>
/// <see cref="ITokenCounter.EstimatePromptTokens"/> (what the TPM limiter calls per request) for a 12-message agent
/// conversation with tool calls and two tool definitions, against tokenizing the same text as one string (baseline).
/// </summary>
[MemoryDiagnoser]
public class TokenCountingBenchmarks
{
    private readonly TiktokenTokenCounter _counter = new();
    private List<ChatMessage> _messages = null!;
    private ChatOptions _options = null!;
    private string _flat = null!;

    [GlobalSetup]
    public void Setup()
    {
        _messages = [new(ChatRole.System, "You are a meticulous research agent. Cite sources. " + string.Concat(Enumerable.Repeat("Be precise. ", 20)))];
        for (var i = 0; i < 5; i++)
        {
            _messages.Add(new ChatMessage(ChatRole.User, $"Question {i}: summarise the findings about topic {i} in detail, with caveats and open questions."));
            _messages.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"call_{i}", "web_search", new Dictionary<string, object?> { ["query"] = $"topic {i} findings" })]));
        }

        _messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_4", string.Concat(Enumerable.Repeat("Result text with numbers 1234 and names. ", 40)))]));
        _options = new ChatOptions
        {
            ModelId = "gpt-4o",
            Tools =
            [
                AIFunctionFactory.Create((string query) => query, "web_search", "Searches the web"),
                AIFunctionFactory.Create((string path) => path, "read_file", "Reads a file under the allowed roots"),
            ],
        };
        _flat = string.Join("\n", _messages.Select(m => m.Text));
        _counter.CountText("warm up", "gpt-4o");
    }

    [Benchmark(Baseline = true)]
    public int TokenizeFlatText() => _counter.CountText(_flat, "gpt-4o").Tokens;

    [Benchmark]
    public int EstimatePromptTokens() => _counter.EstimatePromptTokens(_messages, _options);
}
