using System.Buffers;
using System.Text.Json;

namespace CompanyOs.Emulator.Model;

/// <summary>
/// Builds tool-call arguments from a tool's JSON schema: every required property gets a value of its type
/// (what the task says for it when it says something — see <see cref="TaskHints"/> — else strings from the user's
/// text, enums their first value, numbers their minimum or default or 1).
/// </summary>
internal static class ArgumentSynthesizer
{
    private const int MaxDepth = 8;

    public static string Synthesize(JsonElement? schema, string userText, TaskHints? hints = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (schema is { ValueKind: JsonValueKind.Object } s)
            {
                WriteObject(writer, s, userText, hints, 0);
            }
            else
            {
                writer.WriteStartObject();
                writer.WriteEndObject();
            }
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteObject(Utf8JsonWriter writer, JsonElement schema, string userText, TaskHints? hints, int depth)
    {
        writer.WriteStartObject();
        if (depth < MaxDepth
            && schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
            && schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String
                    && properties.TryGetProperty(name.GetString()!, out var property))
                {
                    writer.WritePropertyName(name.GetString()!);
                    if (TypeOf(property) is "string" or null && !property.TryGetProperty("default", out _)
                        && hints?.StringFor(name.GetString()!, property) is { } hinted)
                    {
                        writer.WriteStringValue(hinted);
                        continue;
                    }

                    WriteValue(writer, property, userText, hints, depth + 1);
                }
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, JsonElement schema, string userText, TaskHints? hints, int depth)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            writer.WriteStringValue(userText);
            return;
        }

        if (schema.TryGetProperty("default", out var defaultValue))
        {
            defaultValue.WriteTo(writer);
            return;
        }

        if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0)
        {
            values[0].WriteTo(writer);
            return;
        }

        switch (TypeOf(schema))
        {
            case "integer":
            case "number":
                writer.WriteNumberValue(schema.TryGetProperty("minimum", out var min) && min.TryGetDouble(out var m) ? Math.Max(m, 1) : 1);
                break;
            case "boolean":
                writer.WriteBooleanValue(true);
                break;
            case "array":
                writer.WriteStartArray();
                if (schema.TryGetProperty("items", out var items) && depth < MaxDepth)
                {
                    WriteValue(writer, items, userText, hints, depth + 1);
                }

                writer.WriteEndArray();
                break;
            case "object":
                WriteObject(writer, schema, userText, hints, depth);
                break;
            case "null":
                writer.WriteNullValue();
                break;
            default:
                writer.WriteStringValue(schema.TryGetProperty("format", out var format) && format.ValueEquals("uri") ? "https://example.com/" : userText);
                break;
        }
    }

    private static string? TypeOf(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return schema.TryGetProperty("properties", out _) ? "object" : null;
        }

        if (type.ValueKind == JsonValueKind.String)
        {
            return type.GetString();
        }

        // ["string","null"] style unions: the first non-null type.
        return type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t is not null and not "null") ?? "null"
            : null;
    }
}
