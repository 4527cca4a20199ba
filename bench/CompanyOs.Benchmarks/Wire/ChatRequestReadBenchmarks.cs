using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using CompanyOs.Llm.Tokens;
using CompanyOs.Server.Gateway;
using CompanyOs.Server.OpenAI;

namespace CompanyOs.Benchmarks.Wire;

/// <summary>
/// Reading a client's OpenAI chat request for the gateway's policies, up to the prompt estimate they need (TPM limit,
/// budget): the full reader (wire types, then Microsoft.Extensions.AI messages and options) against the byte-level view the
/// server uses (<see cref="ChatRequestView"/>: no messages built). "bench" is bench/http's request; "agent" a 2.4 KB
/// conversation (system prompt, four question/answer turns).
/// </summary>
[MemoryDiagnoser]
public class ChatRequestReadBenchmarks
{
    private static readonly TiktokenTokenCounter Counter = new();
    private byte[] _body = [];

    [Params("bench", "agent")]
    public string Body { get; set; } = "bench";

    [GlobalSetup]
    public void Setup()
    {
        _body = Body == "bench"
            ? """{"model":"gpt-4o","messages":[{"role":"user","content":"Say hello."}],"max_tokens":16}"""u8.ToArray()
            : Encoding.UTF8.GetBytes(AgentBody());
        if (Full_reader() != View())
        {
            throw new InvalidOperationException("The two readings estimate differently.");
        }
    }

    [Benchmark(Baseline = true)]
    public int Full_reader()
    {
        var call = ChatRequestReader.Read(RequestBody.Parse(_body, OpenAIJsonContext.Default.ChatCompletionRequest));
        return Counter.EstimatePromptTokens(call.Messages, call.Options);
    }

    [Benchmark]
    public int View()
    {
        var call = ChatRequestView.TryRead(_body)!;
        return Counter.EstimatePromptTokens(call.Messages, call.Options);
    }

    private static string AgentBody()
    {
        var messages = new List<object>
        {
            new { role = "system", content = string.Concat(Enumerable.Repeat("You are a careful research assistant for CompanyOS. Answer precisely, cite the documents you were given, and say when you do not know. ", 6)) },
        };
        for (var i = 0; i < 4; i++)
        {
            messages.Add(new { role = "user", content = $"Question {i}: summarise the quarterly report section {i} in three bullet points, keeping the figures exact and naming the owners of each action item." });
            messages.Add(new { role = "assistant", content = $"Section {i}: revenue grew 4.{i}% quarter on quarter; costs held flat; the owners are the finance and operations leads, who report again next month with the updated forecast." });
        }

        messages.Add(new { role = "user", content = "Now compare the four sections." });
        return JsonSerializer.Serialize(new { model = "gpt-4o", max_tokens = 256, messages });
    }
}
