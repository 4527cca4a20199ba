using System.Text.Json;
using CompanyOs.Emulator.Conversation;
using CompanyOs.Emulator.Hosting;
using CompanyOs.Emulator.Model;
using CompanyOs.Emulator.Scripting;

namespace CompanyOs.Emulator.Anthropic;

/// <summary>
/// Anthropic <c>/v1/messages</c>: a <c>message</c> JSON object, or the SSE sequence <c>message_start</c>,
/// per block <c>content_block_start</c> / <c>content_block_delta</c> (<c>text_delta</c>, <c>input_json_delta</c>) /
/// <c>content_block_stop</c> (a <c>ping</c> after the first start), <c>message_delta</c> with stop reason and usage, <c>message_stop</c>.
/// </summary>
internal sealed class AnthropicMessagesDialect : IChatDialect
{
    private const int ArgumentFragmentSize = 12;
    private readonly AnthropicErrorFormat _errors = new();

    public EmulatorRoute Route => EmulatorRoute.AnthropicMessages;

    public string StreamContentType => "text/event-stream; charset=utf-8";

    public EmulatedRequest Parse(JsonElement root) => AnthropicRequestParser.Parse(root, requireMaxTokens: true);

    public byte[] Render(int statusCode, string message, string? param) => _errors.Render(statusCode, message, param);

    public byte[] RenderJson(EmulatedRequest request, ModelTurn turn, DateTimeOffset now) => JsonBody.Write(w =>
    {
        w.WriteStartObject();
        WriteMessageHead(w, request, turn);
        w.WriteStartArray("content");
        if (HasTextBlock(turn))
        {
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", turn.Text);
            w.WriteEndObject();
        }

        foreach (var call in turn.ToolCalls)
        {
            w.WriteStartObject();
            w.WriteString("type", "tool_use");
            w.WriteString("id", call.Id);
            w.WriteString("name", call.Name);
            w.WritePropertyName("input");
            JsonBody.WriteRawObject(w, call.ArgumentsJson);
            WriteDirectCaller(w);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("stop_reason", StopReason(turn));
        w.WriteString("stop_sequence", turn.StopSequence);
        WriteUsage(w, turn.Usage, turn.Usage.OutputTokens);
        w.WriteEndObject();
    });

    public IReadOnlyList<byte[]> RenderStream(EmulatedRequest request, ModelTurn turn, DateTimeOffset now)
    {
        var frames = new List<byte[]>
        {
            Event("message_start", w =>
            {
                w.WriteStartObject("message");
                WriteMessageHead(w, request, turn);
                w.WriteStartArray("content");
                w.WriteEndArray();
                w.WriteNull("stop_reason");
                w.WriteNull("stop_sequence");
                WriteUsage(w, turn.Usage, outputTokens: 1);
                w.WriteEndObject();
            }),
        };

        var index = 0;
        if (HasTextBlock(turn))
        {
            frames.Add(BlockStart(index, w =>
            {
                w.WriteString("type", "text");
                w.WriteString("text", string.Empty);
            }));
            frames.Add(Event("ping", _ => { }));
            foreach (var piece in TextChunker.Words(turn.Text))
            {
                frames.Add(BlockDelta(index, "text_delta", "text", piece));
            }

            frames.Add(BlockStop(index++));
        }

        foreach (var call in turn.ToolCalls)
        {
            var blockIndex = index;
            frames.Add(BlockStart(blockIndex, w =>
            {
                w.WriteString("type", "tool_use");
                w.WriteString("id", call.Id);
                w.WriteString("name", call.Name);
                w.WriteStartObject("input");
                w.WriteEndObject();
                WriteDirectCaller(w);
            }));
            if (blockIndex == 0)
            {
                frames.Add(Event("ping", _ => { }));
            }

            frames.Add(BlockDelta(blockIndex, "input_json_delta", "partial_json", string.Empty));
            foreach (var fragment in TextChunker.Fragments(call.ArgumentsJson, ArgumentFragmentSize))
            {
                frames.Add(BlockDelta(blockIndex, "input_json_delta", "partial_json", fragment));
            }

            frames.Add(BlockStop(index++));
        }

        frames.Add(Event("message_delta", w =>
        {
            w.WriteStartObject("delta");
            w.WriteString("stop_reason", StopReason(turn));
            w.WriteString("stop_sequence", turn.StopSequence);
            w.WriteEndObject();
            w.WriteStartObject("usage");
            w.WriteNumber("input_tokens", turn.Usage.UncachedInputTokens);
            w.WriteNumber("cache_creation_input_tokens", turn.Usage.CacheWriteTokens);
            w.WriteNumber("cache_read_input_tokens", turn.Usage.CacheReadTokens);
            w.WriteNumber("output_tokens", turn.Usage.OutputTokens);
            w.WriteEndObject();
        }));
        frames.Add(Event("message_stop", _ => { }));
        return frames;
    }

    /// <summary>Tool-only turns have no text block, like the real API when the model goes straight to tool use.</summary>
    private static bool HasTextBlock(ModelTurn turn) => turn.Text.Length > 0 || turn.ToolCalls.Count == 0;

    /// <summary>Current API versions tell who invoked a tool; <c>direct</c> means the model itself (the SDK requires the field).</summary>
    private static void WriteDirectCaller(Utf8JsonWriter w)
    {
        w.WriteStartObject("caller");
        w.WriteString("type", "direct");
        w.WriteEndObject();
    }

    private static void WriteMessageHead(Utf8JsonWriter w, EmulatedRequest request, ModelTurn turn)
    {
        w.WriteString("id", "msg_01" + DeterministicIds.Derive(turn.Seed, "id", 22));
        w.WriteString("type", "message");
        w.WriteString("role", "assistant");
        w.WriteString("model", request.Model);
    }

    private static void WriteUsage(Utf8JsonWriter w, TurnUsage usage, int outputTokens)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", usage.UncachedInputTokens);
        w.WriteNumber("cache_creation_input_tokens", usage.CacheWriteTokens);
        w.WriteNumber("cache_read_input_tokens", usage.CacheReadTokens);
        w.WriteStartObject("cache_creation");
        w.WriteNumber("ephemeral_5m_input_tokens", usage.CacheWriteTokens);
        w.WriteNumber("ephemeral_1h_input_tokens", 0);
        w.WriteEndObject();
        w.WriteNumber("output_tokens", outputTokens);
        w.WriteString("service_tier", "standard");
        w.WriteEndObject();
    }

    private static string StopReason(ModelTurn turn) => turn.FinishReason switch
    {
        ScriptedFinishReason.Length => "max_tokens",
        ScriptedFinishReason.ToolCalls => "tool_use",
        ScriptedFinishReason.ContentFilter => "refusal",
        _ when turn.StopSequence is not null => "stop_sequence",
        _ => "end_turn",
    };

    private static byte[] Event(string type, Action<Utf8JsonWriter> body) =>
        JsonBody.SseEvent(type, JsonBody.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            body(w);
            w.WriteEndObject();
        }));

    private static byte[] BlockStart(int index, Action<Utf8JsonWriter> block) => Event("content_block_start", w =>
    {
        w.WriteNumber("index", index);
        w.WriteStartObject("content_block");
        block(w);
        w.WriteEndObject();
    });

    private static byte[] BlockDelta(int index, string deltaType, string field, string value) => Event("content_block_delta", w =>
    {
        w.WriteNumber("index", index);
        w.WriteStartObject("delta");
        w.WriteString("type", deltaType);
        w.WriteString(field, value);
        w.WriteEndObject();
    });

    private static byte[] BlockStop(int index) => Event("content_block_stop", w => w.WriteNumber("index", index));
}
