using System.Globalization;
using System.Text.Json;
using CompanyOs.Emulator.Conversation;
using CompanyOs.Emulator.Hosting;
using CompanyOs.Emulator.Model;
using CompanyOs.Emulator.Scripting;

namespace CompanyOs.Emulator.Ollama;

/// <summary>
/// Ollama <c>/api/chat</c>: NDJSON lines <c>{"model","created_at","message","done":false}</c>, tool calls as whole
/// calls in one line, then a <c>done:true</c> line with <c>done_reason</c>, <c>prompt_eval_count</c>, <c>eval_count</c>
/// and durations (nanoseconds). <c>stream:false</c> returns the final object with the whole message.
/// </summary>
internal sealed class OllamaChatDialect : IChatDialect
{
    private readonly OllamaErrorFormat _errors = new();

    public EmulatorRoute Route => EmulatorRoute.OllamaChat;

    public string StreamContentType => "application/x-ndjson";

    public EmulatedRequest Parse(JsonElement root) => OllamaRequestParser.Parse(root);

    public byte[] Render(int statusCode, string message, string? param) => _errors.Render(statusCode, message, param);

    public byte[] RenderJson(EmulatedRequest request, ModelTurn turn, DateTimeOffset now) =>
        Line(request, now, turn.Text, turn.ToolCalls, turn);

    public IReadOnlyList<byte[]> RenderStream(EmulatedRequest request, ModelTurn turn, DateTimeOffset now)
    {
        var frames = new List<byte[]>();
        foreach (var piece in TextChunker.Words(turn.Text))
        {
            frames.Add(JsonBody.NdjsonLine(Line(request, now, piece, [], null)));
        }

        if (turn.ToolCalls.Count > 0)
        {
            frames.Add(JsonBody.NdjsonLine(Line(request, now, string.Empty, turn.ToolCalls, null)));
        }

        frames.Add(JsonBody.NdjsonLine(Line(request, now, string.Empty, [], turn)));
        return frames;
    }

    /// <summary>One response object; <paramref name="final"/> non-null makes it the <c>done:true</c> object with statistics.</summary>
    private static byte[] Line(EmulatedRequest request, DateTimeOffset now, string content, IReadOnlyList<GeneratedToolCall> calls, ModelTurn? final) =>
        JsonBody.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("model", request.Model);
            w.WriteString("created_at", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            w.WriteString("content", content);
            if (calls.Count > 0)
            {
                WriteToolCalls(w, calls);
            }

            w.WriteEndObject();
            w.WriteBoolean("done", final is not null);
            if (final is not null)
            {
                w.WriteString("done_reason", final.FinishReason == ScriptedFinishReason.Length ? "length" : "stop");
                var promptNanos = final.Usage.InputTokens * 250_000L;
                var evalNanos = final.Usage.OutputTokens * 20_000_000L;
                w.WriteNumber("total_duration", 1_000_000L + promptNanos + evalNanos);
                w.WriteNumber("load_duration", 1_000_000L);
                w.WriteNumber("prompt_eval_count", final.Usage.InputTokens);
                w.WriteNumber("prompt_eval_duration", promptNanos);
                w.WriteNumber("eval_count", final.Usage.OutputTokens);
                w.WriteNumber("eval_duration", evalNanos);
            }

            w.WriteEndObject();
        });

    private static void WriteToolCalls(Utf8JsonWriter w, IReadOnlyList<GeneratedToolCall> calls)
    {
        w.WriteStartArray("tool_calls");
        for (var i = 0; i < calls.Count; i++)
        {
            w.WriteStartObject();
            w.WriteString("id", calls[i].Id);
            w.WriteStartObject("function");
            w.WriteNumber("index", i);
            w.WriteString("name", calls[i].Name);
            w.WritePropertyName("arguments");
            JsonBody.WriteRawObject(w, calls[i].ArgumentsJson);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
