using System.Text;
using System.Text.Json;

namespace CompanyOs.Events.Serialization;

/// <summary>
/// The stored JSON shape of <see cref="EventMetadata"/>: <c>{"org_id","correlation_id","causation_id","actor","extra":{}}</c>,
/// nulls omitted. Reading is tolerant: members of the wrong type are skipped and reported, never thrown.
/// </summary>
internal static class MetadataJson
{
    /// <summary>Key added to <see cref="EventMetadata.Extra"/> when stored data or metadata could not be read as written.</summary>
    public const string ReadErrorKey = "companyos.read_error";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(EventMetadata metadata, string where, string paramName)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            WriteString(w, "org_id", metadata.OrgId, where, paramName);
            WriteString(w, "correlation_id", metadata.CorrelationId, where, paramName);
            WriteString(w, "causation_id", metadata.CausationId, where, paramName);
            WriteString(w, "actor", metadata.Actor, where, paramName);
            if (metadata.Extra is { Count: > 0 } extra)
            {
                w.WriteStartObject("extra");
                foreach (var (key, value) in extra)
                {
                    CheckNoNul(key, "extra key", where, paramName);
                    CheckNoNul(value, $"extra '{key}'", where, paramName);
                    w.WriteString(key, value);
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Reads stored metadata; <paramref name="error"/> says what could not be read (null when all was fine).</summary>
    public static EventMetadata Read(string json, out string? error)
    {
        error = null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = $"metadata is a JSON {root.ValueKind}, not an object";
                return EventMetadata.Empty;
            }

            var bad = new List<string>();
            var extra = ReadExtra(root, bad);
            var metadata = new EventMetadata
            {
                OrgId = ReadString(root, "org_id", bad),
                CorrelationId = ReadString(root, "correlation_id", bad),
                CausationId = ReadString(root, "causation_id", bad),
                Actor = ReadString(root, "actor", bad),
                Extra = extra,
            };
            if (bad.Count > 0)
            {
                error = "metadata members of the wrong type: " + string.Join(", ", bad);
            }

            return metadata;
        }
        catch (JsonException ex)
        {
            error = "metadata is not valid JSON: " + ex.Message;
            return EventMetadata.Empty;
        }
    }

    private static Dictionary<string, string>? ReadExtra(JsonElement root, List<string> bad)
    {
        if (!root.TryGetProperty("extra", out var extra) || extra.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (extra.ValueKind != JsonValueKind.Object)
        {
            bad.Add("extra");
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in extra.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.String)
            {
                result[p.Name] = p.Value.GetString()!;
            }
            else
            {
                bad.Add("extra." + p.Name);
            }
        }

        return result;
    }

    private static string? ReadString(JsonElement root, string name, List<string> bad)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        bad.Add(name);
        return null;
    }

    private static void WriteString(Utf8JsonWriter w, string name, string? value, string where, string paramName)
    {
        if (value is not null)
        {
            CheckNoNul(value, name, where, paramName);
            w.WriteString(name, value);
        }
    }

    private static void CheckNoNul(string value, string what, string where, string paramName)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The metadata {what} of {where} contains a NUL character, which the stores cannot hold.", paramName);
        }
    }
}
