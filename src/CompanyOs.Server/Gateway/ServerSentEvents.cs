using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;

namespace CompanyOs.Server.Gateway;

/// <summary>Writes <c>text/event-stream</c> events, each flushed as soon as it is written (no buffering in the server).</summary>
internal static class ServerSentEvents
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();

    public static async Task StartAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(cancellationToken);
    }

    public static async Task WriteAsync<T>(HttpResponse response, string? eventName, T data, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        if (eventName is not null)
        {
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes($"event: {eventName}\n"), cancellationToken);
        }

        await response.Body.WriteAsync(DataPrefix, cancellationToken);
        await response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(data, type), cancellationToken);
        await response.Body.WriteAsync(EventEnd, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>Writes one <c>data:</c> event holding <paramref name="data"/> as it is (JSON already), in one write and one flush.</summary>
    public static async Task WriteDataAsync(HttpResponse response, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var writer = response.BodyWriter;
        writer.Write(DataPrefix);
        writer.Write(data.Span);
        writer.Write(EventEnd);
        await writer.FlushAsync(cancellationToken);
    }

    public static async Task WriteRawAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
