using System.Buffers;
using System.Text;
using System.Text.Json;
using CompanyOs.Events.Appending;

namespace CompanyOs.Events.Serialization;

/// <summary>
/// The stored JSON shape of <see cref="EventMetadata"/>: <c>{"org_id","correlation_id","causation_id","actor","extra":{}}</c>,
/// nulls omitted. Reading is tolerant: members of the wrong type are skipped and reported, never thrown.
/// </summary>
internal static class MetadataJson
{
    /// <summary>Key added to <see cref="EventMetadata.Extra"/> when stored data or metadata could not be read as written.</summary>
    public const string ReadErrorKey = "companyos.read_error";

    private const int MaxRetainedBuffer = 16 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? _scratch;

    [ThreadStatic]
    private static LastWritten? _last;

    /// <summary>
    /// The stored JSON of <paramref name="metadata"/>. Written through a per-thread buffer and writer, reused from call to call
    /// (appends serialize one event after another, so allocating both per event would cost more than the JSON itself).
    /// Metadata without extras that equals the last one this thread wrote (the same org, correlation, causation and actor:
    /// consecutive appends of one run, each with its own metadata object) gets the same string back without writing it again.
    /// </summary>
    /// <exception cref="ArgumentException">A value holds a NUL character; the message names <paramref name="where"/>.</exception>
    public static string Write(EventMetadata metadata, EventLocation where, string paramName)
    {
        // Compared by value, at each call: the metadata is a record whose strings cannot change, and extras (a dictionary the
        // caller may still change) are never taken from here.
        var plain = metadata.Extra is null or { Count: 0 };
        if (plain && _last is { } last && last.Matches(metadata))
        {
            return last.Json;
        }

        var (buffer, w) = _scratch ??= CreateScratch();
        buffer.ResetWrittenCount();
        w.Reset(buffer);
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
        w.Flush();
        var json = Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (buffer.Capacity > MaxRetainedBuffer)
        {
            // A huge metadata object: do not keep its buffer alive for the thread's lifetime.
            _scratch = null;
        }

        if (plain)
        {
            (_last ??= new LastWritten()).Set(metadata, json);
        }

        return json;
    }

    /// <summary>The last metadata without extras a thread wrote, and its JSON (reused in place: a miss allocates nothing).</summary>
    private sealed class LastWritten
    {
        private string? _orgId;
        private string? _correlationId;
        private string? _causationId;
        private string? _actor;

        public string Json { get; private set; } = "";

        public bool Matches(EventMetadata metadata) =>
            string.Equals(_orgId, metadata.OrgId, StringComparison.Ordinal)
            && string.Equals(_correlationId, metadata.CorrelationId, StringComparison.Ordinal)
            && string.Equals(_causationId, metadata.CausationId, StringComparison.Ordinal)
            && string.Equals(_actor, metadata.Actor, StringComparison.Ordinal)
            && Json.Length > 0;

        public void Set(EventMetadata metadata, string json) =>
            (_orgId, _correlationId, _causationId, _actor, Json) = (metadata.OrgId, metadata.CorrelationId, metadata.CausationId, metadata.Actor, json);
    }

    private static (ArrayBufferWriter<byte>, Utf8JsonWriter) CreateScratch()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        return (buffer, new Utf8JsonWriter(buffer, WriterOptions));
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

    private static void WriteString(Utf8JsonWriter w, string name, string? value, EventLocation where, string paramName)
    {
        if (value is not null)
        {
            CheckNoNul(value, name, where, paramName);
            w.WriteString(name, value);
        }
    }

    private static void CheckNoNul(string value, string what, EventLocation where, string paramName)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The metadata {what} of {where} contains a NUL character, which the stores cannot hold.", paramName);
        }
    }
}
