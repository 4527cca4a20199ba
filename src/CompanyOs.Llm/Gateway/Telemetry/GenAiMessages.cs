using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway.Telemetry;

/// <summary>
/// Messages as the GenAI semantic conventions' <c>gen_ai.input.messages</c> / <c>gen_ai.output.messages</c> JSON:
/// <c>[{"role":"user","parts":[{"type":"text","content":"…"}]}]</c>, with <c>tool_call</c> and <c>tool_call_response</c>
/// parts. Only built when contents are opted in. Binary data is described (type and media type), never inlined.
/// </summary>
internal static class GenAiMessages
{
    public static string Serialize(IEnumerable<ChatMessage> messages, string? finishReason = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var message in messages)
            {
                json.WriteStartObject();
                json.WriteString("role", message.Role.Value);
                json.WriteStartArray("parts");
                foreach (var content in message.Contents)
                {
                    WritePart(json, content);
                }

                json.WriteEndArray();
                if (finishReason is not null)
                {
                    json.WriteString("finish_reason", finishReason);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WritePart(Utf8JsonWriter json, AIContent content)
    {
        json.WriteStartObject();
        switch (content)
        {
            case TextContent text:
                json.WriteString("type", "text");
                json.WriteString("content", text.Text);
                break;
            case TextReasoningContent reasoning:
                json.WriteString("type", "reasoning");
                json.WriteString("content", reasoning.Text);
                break;
            case FunctionCallContent call:
                json.WriteString("type", "tool_call");
                json.WriteString("id", call.CallId);
                json.WriteString("name", call.Name);
                json.WritePropertyName("arguments");
                WriteValue(json, call.Arguments);
                break;
            case FunctionResultContent result:
                json.WriteString("type", "tool_call_response");
                json.WriteString("id", result.CallId);
                json.WritePropertyName("response");
                WriteValue(json, result.Result);
                break;
            case DataContent data:
                json.WriteString("type", "blob");
                json.WriteString("mime_type", data.MediaType);
                break;
            case UriContent uri:
                json.WriteString("type", "uri");
                json.WriteString("mime_type", uri.MediaType);
                json.WriteString("uri", uri.Uri.ToString());
                break;
            default:
                json.WriteString("type", content.GetType().Name);
                break;
        }

        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        byte[] serialized;
        try
        {
            // Serialised apart first: a value that fails half-way leaves nothing half-written in the message JSON.
            serialized = JsonSerializer.SerializeToUtf8Bytes(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value?.GetType() ?? typeof(object)));
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or JsonException)
        {
            // A value the JSON options cannot serialise is described, so that recording contents never fails the call.
            json.WriteStringValue(value?.ToString());
            return;
        }

        json.WriteRawValue(serialized, skipInputValidation: true);
    }
}
