using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CompanyOs.Llm.PassThrough;

namespace CompanyOs.Benchmarks.Wire;

/// <summary>
/// What the pass-through path reads from the wire, against a plain <see cref="JsonDocument"/> of the same payload (the
/// same-run baseline of each category): scanning a client's OpenAI request for its model and stream flag
/// (<see cref="PassThroughRequest.TryCreate"/>), reading usage and finish reason from an upstream <c>chat.completion</c>
/// (<c>CompletionFacts</c>), and splitting an upstream SSE stream into events and reading each chunk's facts
/// (<c>SseDataReader</c> + <c>CompletionFacts</c>, against <see cref="StreamReader"/> lines + <see cref="JsonDocument"/>).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PassThroughWireBenchmarks
{
    private static readonly byte[] Done = "[DONE]"u8.ToArray();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("request")]
    public bool Request_JsonDocument()
    {
        using var document = JsonDocument.Parse(WirePayloads.OpenAIStreamRequest);
        var root = document.RootElement;
        return root.GetProperty("model").GetString() is not null && root.TryGetProperty("stream", out var stream) && stream.GetBoolean();
    }

    [Benchmark]
    [BenchmarkCategory("request")]
    public bool Request_PassThrough_scan() => PassThroughRequest.TryCreate(WirePayloads.OpenAIStreamRequest) is { Stream: true };

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("response")]
    public long Response_JsonDocument_usage()
    {
        using var document = JsonDocument.Parse(WirePayloads.OpenAICompletion);
        var root = document.RootElement;
        var usage = root.GetProperty("usage");
        _ = root.GetProperty("choices")[0].GetProperty("finish_reason").GetString();
        return usage.GetProperty("prompt_tokens").GetInt64() + usage.GetProperty("completion_tokens").GetInt64();
    }

    [Benchmark]
    [BenchmarkCategory("response")]
    public long Response_CompletionFacts()
    {
        var facts = CompletionFacts.Read(WirePayloads.OpenAICompletion);
        return (facts.Usage?.InputTokenCount ?? 0) + (facts.Usage?.OutputTokenCount ?? 0);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("sse")]
    public async Task<long> Sse_StreamReader_JsonDocument()
    {
        using var reader = new StreamReader(new MemoryStream(WirePayloads.OpenAISse, writable: false));
        long tokens = 0;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]")
            {
                continue;
            }

            using var document = JsonDocument.Parse(line.AsMemory(6));
            if (document.RootElement.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                tokens += usage.GetProperty("total_tokens").GetInt64();
            }
        }

        return tokens;
    }

    [Benchmark]
    [BenchmarkCategory("sse")]
    public async Task<long> Sse_SseDataReader_CompletionFacts()
    {
        using var reader = new SseDataReader(new MemoryStream(WirePayloads.OpenAISse, writable: false));
        long tokens = 0;
        while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false) is { } data)
        {
            if (data.AsSpan().SequenceEqual(Done))
            {
                continue;
            }

            tokens += CompletionFacts.Read(data).Usage?.TotalTokenCount ?? 0;
        }

        return tokens;
    }
}
