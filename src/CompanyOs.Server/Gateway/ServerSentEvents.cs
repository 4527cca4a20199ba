using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;

namespace CompanyOs.Server.Gateway;

/// <summary>
/// Writes <c>text/event-stream</c> events into the response's <see cref="HttpResponse.BodyWriter"/>. An event is built whole
/// in the writer's buffer (event line, <c>data:</c> line, blank line: the JSON serialised straight into it) and goes out in
/// one flush — one socket send, never a half event for the client to wait on. <c>Append…</c> adds an event without sending
/// it, so that events written together (a stream's closing lines) share a send; <see cref="FlushAsync"/> sends them.
/// </summary>
internal static class ServerSentEvents
{
    private static readonly byte[] EventPrefix = "event: "u8.ToArray();
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] LineEnd = "\n"u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();

    public static async Task StartAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(cancellationToken);
    }

    /// <summary>Writes one event (<c>event:</c> line when <paramref name="eventName"/> is set, <c>data:</c> JSON) and sends it.</summary>
    public static async Task WriteAsync<T>(HttpResponse response, string? eventName, T data, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        Append(response, eventName, data, type);
        await response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <summary>Writes one <c>data:</c> event holding <paramref name="data"/> as it is (JSON already) and sends it.</summary>
    public static async Task WriteDataAsync(HttpResponse response, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        AppendData(response, data.Span);
        await response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <summary>Writes <paramref name="text"/> (whole SSE lines, e.g. a comment) as it is and sends it.</summary>
    public static async Task WriteRawAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        AppendRaw(response, text);
        await response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Adds <paramref name="text"/> (the stream's last lines) and completes the response: they go out with its end (on
    /// HTTP/1.1 the terminating chunk) in one send, instead of a send of their own and another for the end. Nothing may be
    /// written after it.
    /// </summary>
    public static Task EndAsync(HttpResponse response, string text)
    {
        AppendRaw(response, text);
        return response.CompleteAsync();
    }

    /// <summary>Adds one event to the response without sending it (see <see cref="FlushAsync"/>).</summary>
    public static void Append<T>(HttpResponse response, string? eventName, T data, JsonTypeInfo<T> type)
    {
        var writer = response.BodyWriter;
        if (eventName is not null)
        {
            writer.Write(EventPrefix);
            AppendUtf8(writer, eventName);
            writer.Write(LineEnd);
        }

        writer.Write(DataPrefix);
        // Straight into the response's buffer, with the options' encoder; never indented: an event's data is one line.
        using (var json = new Utf8JsonWriter(writer, new JsonWriterOptions { Encoder = type.Options.Encoder }))
        {
            JsonSerializer.Serialize(json, data, type);
        }

        writer.Write(EventEnd);
    }

    /// <summary>Adds one <c>data:</c> event holding <paramref name="data"/> (JSON already) without sending it.</summary>
    public static void AppendData(HttpResponse response, ReadOnlySpan<byte> data)
    {
        var writer = response.BodyWriter;
        writer.Write(DataPrefix);
        writer.Write(data);
        writer.Write(EventEnd);
    }

    /// <summary>Adds <paramref name="text"/> (whole SSE lines) without sending it.</summary>
    public static void AppendRaw(HttpResponse response, string text) => AppendUtf8(response.BodyWriter, text);

    /// <summary>Sends what was added since the last flush.</summary>
    public static async Task FlushAsync(HttpResponse response, CancellationToken cancellationToken) =>
        await response.BodyWriter.FlushAsync(cancellationToken);

    private static void AppendUtf8(PipeWriter writer, string text)
    {
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        writer.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
