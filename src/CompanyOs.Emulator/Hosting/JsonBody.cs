using System.Buffers;
using System.Text.Json;

namespace CompanyOs.Emulator.Hosting;

/// <summary>Writes wire JSON with a <see cref="Utf8JsonWriter"/> so every field and its order is explicit.</summary>
internal static class JsonBody
{
    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes a JSON object text (e.g. tool arguments) as a value, or <c>{}</c> when it is not valid JSON.</summary>
    public static void WriteRawObject(Utf8JsonWriter writer, string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            doc.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
    }

    /// <summary>An SSE event: optional <c>event:</c> line, one <c>data:</c> line, blank line.</summary>
    public static byte[] SseEvent(string? eventName, byte[] json)
    {
        var prefix = eventName is null ? "data: " : $"event: {eventName}\ndata: ";
        var prefixBytes = System.Text.Encoding.UTF8.GetBytes(prefix);
        var frame = new byte[prefixBytes.Length + json.Length + 2];
        prefixBytes.CopyTo(frame, 0);
        json.CopyTo(frame, prefixBytes.Length);
        frame[^2] = (byte)'\n';
        frame[^1] = (byte)'\n';
        return frame;
    }

    /// <summary>An NDJSON line.</summary>
    public static byte[] NdjsonLine(byte[] json)
    {
        var frame = new byte[json.Length + 1];
        json.CopyTo(frame, 0);
        frame[^1] = (byte)'\n';
        return frame;
    }
}
