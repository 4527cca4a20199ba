using CompanyOs.Emulator.Faults;
using Microsoft.AspNetCore.Http;

namespace CompanyOs.Emulator.Hosting;

/// <summary>Writes bodies and streams, applying latency, <c>cut-after</c> and <c>malformed</c> faults.</summary>
internal static class ResponseWriter
{
    private static readonly TimeSpan DrainDelay = TimeSpan.FromMilliseconds(50);

    public static async Task WriteErrorAsync(
        HttpContext context, IErrorFormat errors, int statusCode, string message, string? param = null,
        Fault? fault = null, TimeProvider? time = null)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        if (fault?.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = fault.RetryAfterAsHttpDate
                ? (time ?? TimeProvider.System).GetUtcNow().Add(retryAfter).ToString("R", System.Globalization.CultureInfo.InvariantCulture)
                : Math.Ceiling(retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var body = errors.Render(statusCode, message, param);
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    public static async Task WriteBodyAsync(RequestScope scope, string contentType, byte[] body)
    {
        var response = scope.Context.Response;
        if (scope.Find(FaultKind.Malformed) is not null)
        {
            body = body[..(body.Length / 2)];
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = body.Length;

        if (scope.Find(FaultKind.CutAfter) is { } cut)
        {
            var count = Math.Min(cut.Count, Math.Max(body.Length - 1, 0));
            await response.Body.WriteAsync(body.AsMemory(0, count), scope.Aborted).ConfigureAwait(false);
            await response.Body.FlushAsync(scope.Aborted).ConfigureAwait(false);
            await AbortAfterDrainAsync(scope).ConfigureAwait(false);
            return;
        }

        await response.Body.WriteAsync(body, scope.Aborted).ConfigureAwait(false);
    }

    public static async Task WriteStreamAsync(RequestScope scope, string contentType, IReadOnlyList<byte[]> frames)
    {
        var response = scope.Context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.Headers.CacheControl = "no-cache";
        await response.StartAsync(scope.Aborted).ConfigureAwait(false);

        scope.Progress.Plan(frames.Count);
        var cut = scope.Find(FaultKind.CutAfter);
        var malformedIndex = scope.Find(FaultKind.Malformed) is null ? -1 : Math.Min(1, frames.Count - 1);
        for (var i = 0; i < frames.Count; i++)
        {
            if (cut is not null && i == cut.Count)
            {
                break;
            }

            if (i > 0 && scope.ChunkDelay > TimeSpan.Zero)
            {
                await Task.Delay(scope.ChunkDelay, scope.State.Time, scope.Aborted).ConfigureAwait(false);
            }

            var frame = i == malformedIndex ? Corrupt(frames[i]) : frames[i];
            await response.Body.WriteAsync(frame, scope.Aborted).ConfigureAwait(false);
            await response.Body.FlushAsync(scope.Aborted).ConfigureAwait(false);
            scope.Progress.FrameWritten();
        }

        if (cut is not null)
        {
            await AbortAfterDrainAsync(scope).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Aborting right after a flush can drop bytes still queued for the socket, so the client would see fewer chunks
    /// than promised. A short real-time pause (not the emulator's TimeProvider, which tests may freeze) lets them drain.
    /// </summary>
    private static async Task AbortAfterDrainAsync(RequestScope scope)
    {
        await Task.Delay(DrainDelay, scope.Aborted).ConfigureAwait(false);
        scope.Context.Abort();
    }

    /// <summary>Keeps the frame's framing (<c>event:</c>/<c>data:</c> prefix, newlines) but cuts its JSON in half.</summary>
    internal static byte[] Corrupt(byte[] frame)
    {
        var start = Array.IndexOf(frame, (byte)'{');
        var end = frame.Length;
        while (end > 0 && frame[end - 1] == (byte)'\n')
        {
            end--;
        }

        if (start < 0 || start >= end)
        {
            return [.. "{\"truncated\":"u8, .. frame.AsSpan(end)];
        }

        var half = start + ((end - start) / 2);
        return [.. frame.AsSpan(0, half), .. frame.AsSpan(end)];
    }
}
