using System.Text.Json;
using CompanyOs.Emulator.Conversation;
using CompanyOs.Emulator.Hosting;
using CompanyOs.Emulator.Model;
using CompanyOs.Emulator.Scripting;

namespace CompanyOs.Emulator.OpenAI;

/// <summary>OpenAI <c>/v1/chat/completions</c>: <c>chat.completion</c> JSON and <c>chat.completion.chunk</c> SSE ending in <c>[DONE]</c>.</summary>
internal sealed class OpenAIChatDialect : IChatDialect
{
    private const string Fingerprint = "fp_emulator";
    private const int ArgumentFragmentSize = 12;
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();
    private readonly OpenAIErrorFormat _errors = new();

    public EmulatorRoute Route => EmulatorRoute.OpenAIChatCompletions;

    public string StreamContentType => "text/event-stream; charset=utf-8";

    public EmulatedRequest Parse(JsonElement root) => OpenAIRequestParser.Parse(root);

    public byte[] Render(int statusCode, string message, string? param) => _errors.Render(statusCode, message, param);

    public byte[] RenderJson(EmulatedRequest request, ModelTurn turn, DateTimeOffset now) => JsonBody.Write(w =>
    {
        w.WriteStartObject();
        WriteHeader(w, request, turn, now, "chat.completion");
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        w.WriteString("content", turn.Text.Length == 0 && turn.ToolCalls.Count > 0 ? null : turn.Text);
        w.WriteNull("refusal");
        if (turn.ToolCalls.Count > 0)
        {
            w.WriteStartArray("tool_calls");
            foreach (var call in turn.ToolCalls)
            {
                w.WriteStartObject();
                w.WriteString("id", call.Id);
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", call.Name);
                w.WriteString("arguments", call.ArgumentsJson);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteStartArray("annotations");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteNull("logprobs");
        w.WriteString("finish_reason", FinishReason(turn.FinishReason));
        w.WriteEndObject();
        w.WriteEndArray();
        WriteUsage(w, turn.Usage);
        w.WriteString("service_tier", "default");
        w.WriteEndObject();
    });

    public IReadOnlyList<byte[]> RenderStream(EmulatedRequest request, ModelTurn turn, DateTimeOffset now)
    {
        var frames = new List<byte[]>
        {
            Chunk(request, turn, now, w =>
            {
                w.WriteString("role", "assistant");
                w.WriteString("content", turn.Text.Length == 0 && turn.ToolCalls.Count > 0 ? null : string.Empty);
                w.WriteNull("refusal");
            }, null),
        };

        foreach (var piece in TextChunker.Words(turn.Text))
        {
            frames.Add(Chunk(request, turn, now, w => w.WriteString("content", piece), null));
        }

        for (var i = 0; i < turn.ToolCalls.Count; i++)
        {
            var call = turn.ToolCalls[i];
            var index = i;
            frames.Add(Chunk(request, turn, now, w => WriteToolDelta(w, index, call.Id, call.Name, string.Empty), null));
            foreach (var fragment in TextChunker.Fragments(call.ArgumentsJson, ArgumentFragmentSize))
            {
                frames.Add(Chunk(request, turn, now, w => WriteToolDelta(w, index, null, null, fragment), null));
            }
        }

        frames.Add(Chunk(request, turn, now, _ => { }, FinishReason(turn.FinishReason)));
        if (request.IncludeUsage)
        {
            frames.Add(JsonBody.SseEvent(null, JsonBody.Write(w =>
            {
                w.WriteStartObject();
                WriteHeader(w, request, turn, now, "chat.completion.chunk");
                w.WriteStartArray("choices");
                w.WriteEndArray();
                WriteUsage(w, turn.Usage);
                w.WriteEndObject();
            })));
        }

        frames.Add(Done);
        return frames;
    }

    private static byte[] Chunk(EmulatedRequest request, ModelTurn turn, DateTimeOffset now, Action<Utf8JsonWriter> delta, string? finishReason) =>
        JsonBody.SseEvent(null, JsonBody.Write(w =>
        {
            w.WriteStartObject();
            WriteHeader(w, request, turn, now, "chat.completion.chunk");
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            w.WriteStartObject("delta");
            delta(w);
            w.WriteEndObject();
            w.WriteNull("logprobs");
            w.WriteString("finish_reason", finishReason);
            w.WriteEndObject();
            w.WriteEndArray();
            if (request.IncludeUsage)
            {
                w.WriteNull("usage");
            }

            w.WriteEndObject();
        }));

    private static void WriteToolDelta(Utf8JsonWriter w, int index, string? id, string? name, string arguments)
    {
        w.WriteStartArray("tool_calls");
        w.WriteStartObject();
        w.WriteNumber("index", index);
        if (id is not null)
        {
            w.WriteString("id", id);
            w.WriteString("type", "function");
        }

        w.WriteStartObject("function");
        if (name is not null)
        {
            w.WriteString("name", name);
        }

        w.WriteString("arguments", arguments);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
    }

    private static void WriteHeader(Utf8JsonWriter w, EmulatedRequest request, ModelTurn turn, DateTimeOffset now, string objectType)
    {
        w.WriteString("id", "chatcmpl-" + DeterministicIds.Derive(turn.Seed, "id", 29));
        w.WriteString("object", objectType);
        w.WriteNumber("created", now.ToUnixTimeSeconds());
        w.WriteString("model", request.Model);
        w.WriteString("system_fingerprint", Fingerprint);
    }

    private static void WriteUsage(Utf8JsonWriter w, TurnUsage usage)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", usage.InputTokens);
        w.WriteNumber("completion_tokens", usage.OutputTokens);
        w.WriteNumber("total_tokens", usage.InputTokens + usage.OutputTokens);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", usage.CacheReadTokens);
        w.WriteNumber("audio_tokens", 0);
        w.WriteEndObject();
        w.WriteStartObject("completion_tokens_details");
        w.WriteNumber("reasoning_tokens", 0);
        w.WriteNumber("audio_tokens", 0);
        w.WriteNumber("accepted_prediction_tokens", 0);
        w.WriteNumber("rejected_prediction_tokens", 0);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string FinishReason(ScriptedFinishReason reason) => reason switch
    {
        ScriptedFinishReason.Length => "length",
        ScriptedFinishReason.ToolCalls => "tool_calls",
        ScriptedFinishReason.ContentFilter => "content_filter",
        _ => "stop",
    };
}
