using System.Globalization;
using System.Text;

namespace CompanyOs.Benchmarks.Wire;

/// <summary>
/// The wire payloads the wire benchmarks share: an OpenAI chat request, an OpenAI <c>chat.completion</c> and its SSE form,
/// and an Anthropic message and its SSE form, each with usage (the same shapes the HTTP harness's canned upstream answers).
/// </summary>
internal static class WirePayloads
{
    /// <summary>Content chunks in each streamed answer (plus the role, finish and usage chunks).</summary>
    public const int ContentChunks = 16;

    public static readonly byte[] OpenAIRequest = Encoding.UTF8.GetBytes(
        """{"model":"gpt-4o","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Explain event sourcing in one sentence."}],"max_tokens":256,"temperature":0.2}""");

    public static readonly byte[] OpenAIStreamRequest = Encoding.UTF8.GetBytes(
        """{"model":"gpt-4o","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Explain event sourcing in one sentence."}],"max_tokens":256,"temperature":0.2,"stream":true,"stream_options":{"include_usage":true}}""");

    public static readonly byte[] OpenAICompletion = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-bench","object":"chat.completion","created":1764547200,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Event sourcing stores every change as an immutable event and rebuilds state by replaying them.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":21,"completion_tokens":17,"total_tokens":38,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0}},"system_fingerprint":"fp_bench"}""");

    public static readonly byte[] OpenAISse = Encoding.UTF8.GetBytes(BuildOpenAISse());

    public static readonly byte[] AnthropicMessage = Encoding.UTF8.GetBytes(
        """{"id":"msg_bench","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[{"type":"text","text":"Event sourcing stores every change as an immutable event and rebuilds state by replaying them."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":21,"output_tokens":17,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}""");

    public static readonly byte[] AnthropicSse = Encoding.UTF8.GetBytes(BuildAnthropicSse());

    private static string BuildOpenAISse()
    {
        const string Head = """{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1764547200,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_bench","choices":""";
        var sb = new StringBuilder();
        sb.Append("data: ").Append(Head).Append("""[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}""").Append("\n\n");
        for (var i = 0; i < ContentChunks; i++)
        {
            sb.Append("data: ").Append(Head).Append(CultureInfo.InvariantCulture, $$"""[{"index":0,"delta":{"content":" word{{i}}"},"logprobs":null,"finish_reason":null}]}""").Append("\n\n");
        }

        sb.Append("data: ").Append(Head).Append("""[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}""").Append("\n\n");
        sb.Append("data: ").Append(Head).Append("""[],"usage":{"prompt_tokens":21,"completion_tokens":17,"total_tokens":38}}""").Append("\n\n");
        sb.Append("data: [DONE]\n\n");
        return sb.ToString();
    }

    private static string BuildAnthropicSse()
    {
        var sb = new StringBuilder();
        void Event(string name, string data) => sb.Append("event: ").Append(name).Append("\ndata: ").Append(data).Append("\n\n");
        Event("message_start", """{"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":21,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}}""");
        Event("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""");
        for (var i = 0; i < ContentChunks; i++)
        {
            Event("content_block_delta", string.Create(CultureInfo.InvariantCulture, $$$"""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" word{{{i}}}"}}"""));
        }

        Event("content_block_stop", """{"type":"content_block_stop","index":0}""");
        Event("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":17}}""");
        Event("message_stop", """{"type":"message_stop"}""");
        return sb.ToString();
    }
}
