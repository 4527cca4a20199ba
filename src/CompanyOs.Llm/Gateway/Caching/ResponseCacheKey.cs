using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using CompanyOs.Llm.Serialization;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway.Caching;

/// <summary>
/// The cache key of a request: SHA-256 over a canonical JSON of everything that shapes the answer — org (responses are never
/// shared across organisations), provider, model, instructions, sampling options, tools and every message's role and
/// contents. Message ids, timestamps and the gateway's own bookkeeping are left out.
/// </summary>
internal static class ResponseCacheKey
{
    private const string Prefix = "companyos:llm:response:v1:";

    public static string Compute(GatewayCall call, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("org", call.Context?.OrgId);
            writer.WriteString("provider", call.Provider.Name);
            writer.WriteString("model", call.Model);
            WriteOptions(writer, options);
            writer.WriteStartArray("messages");
            foreach (var message in messages)
            {
                writer.WriteStartObject();
                writer.WriteString("role", message.Role.Value);
                writer.WriteString("author", message.AuthorName);
                writer.WritePropertyName("contents");
                JsonSerializer.Serialize(writer, message.Contents, LlmJson.AI<IList<AIContent>>());
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Prefix + Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void WriteOptions(Utf8JsonWriter writer, ChatOptions? options)
    {
        if (options is null)
        {
            return;
        }

        writer.WriteString("instructions", options.Instructions);
        WriteNumber(writer, "temperature", options.Temperature);
        WriteNumber(writer, "top_p", options.TopP);
        WriteNumber(writer, "top_k", options.TopK);
        WriteNumber(writer, "max_output_tokens", options.MaxOutputTokens);
        WriteNumber(writer, "frequency_penalty", options.FrequencyPenalty);
        WriteNumber(writer, "presence_penalty", options.PresencePenalty);
        WriteNumber(writer, "seed", options.Seed);
        writer.WriteString("response_format", options.ResponseFormat switch
        {
            null => null,
            ChatResponseFormatJson json => $"json:{json.SchemaName}:{json.Schema?.GetRawText()}",
            _ => "text",
        });
        writer.WriteString("tool_mode", options.ToolMode switch
        {
            null => null,
            RequiredChatToolMode required => $"required:{required.RequiredFunctionName}",
            _ => options.ToolMode.GetType().Name,
        });
        writer.WriteBoolean("parallel_tools", options.AllowMultipleToolCalls ?? true);
        writer.WriteStartArray("stop");
        foreach (var stop in options.StopSequences ?? [])
        {
            writer.WriteStringValue(stop);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("tools");
        foreach (var tool in options.Tools ?? [])
        {
            writer.WriteStartObject();
            writer.WriteString("name", tool.Name);
            writer.WriteString("description", tool.Description);
            writer.WriteString("kind", tool.GetType().Name);
            if (tool is AIFunctionDeclaration function)
            {
                writer.WritePropertyName("schema");
                function.JsonSchema.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartObject("extra");
        foreach (var (key, value) in (options.AdditionalProperties ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!key.StartsWith("companyos.", StringComparison.Ordinal))
            {
                writer.WritePropertyName(key);
                JsonSerializer.Serialize(writer, value, LlmJson.AnyValue);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }
}
