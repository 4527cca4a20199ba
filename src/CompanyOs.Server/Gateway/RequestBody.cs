using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CompanyOs.Server.Errors;
using Microsoft.AspNetCore.Http.Features;

namespace CompanyOs.Server.Gateway;

/// <summary>Reads a JSON request body into a wire type: 415 for another media type, 413 over the limit, 400 naming the position.</summary>
internal static class RequestBody
{
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class =>
        Parse(await ReadBytesAsync(request, cancellationToken), type);

    /// <summary>The body's bytes, not parsed: 415 for another media type, 413 over the limit, 408 when it arrives too slowly.</summary>
    /// <remarks>A value task: a body that is already there (most are, arriving with their headers) costs no task objects.</remarks>
    public static async ValueTask<byte[]> ReadBytesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
        {
            throw new ApiRequestException(new ApiError(ApiErrorKind.UnsupportedMediaType,
                $"Content-Type must be application/json, got '{request.ContentType ?? "(none)"}'."));
        }

        try
        {
            return await ReadAllAsync(request, cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            throw new ApiRequestException(new ApiError(ApiErrorKind.RequestTimeout,
                "The request body arrived slower than the server's minimum data rate (min_request_body_bytes_per_second)."));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            var limit = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            throw new ApiRequestException(new ApiError(ApiErrorKind.RequestTooLarge,
                $"The request body is larger than the server's limit of {limit?.ToString(CultureInfo.InvariantCulture) ?? "?"} bytes."));
        }
    }

    /// <summary>A body read by <see cref="ReadBytesAsync"/> as a wire type: 400 naming the position (and field) of bad JSON.</summary>
    public static T Parse<T>(ReadOnlySpan<byte> bytes, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, type)
                ?? throw new ApiRequestException(ApiError.Invalid("body", "The request body must be a JSON object, got null."));
        }
        catch (JsonException e)
        {
            var param = ParamOf(e.Path);
            var where = string.Create(CultureInfo.InvariantCulture,
                $"line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1}");
            var field = param is null ? "" : $" (field '{param}')";
            throw new ApiRequestException(ApiError.Invalid(param ?? "body", $"Invalid JSON body at {where}{field}: {Reason(e)}"));
        }
    }

    private static async ValueTask<byte[]> ReadAllAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            if (read.IsCompleted)
            {
                var bytes = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return bytes;
            }

            // Nothing consumed, everything examined: the next read returns once more has arrived (Kestrel enforces the size limit).
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null
        && (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || (contentType.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
                && contentType.Split(';')[0].EndsWith("+json", StringComparison.OrdinalIgnoreCase)));

    /// <summary><c>$.messages[0].role</c> → <c>messages[0].role</c>; null for the document itself.</summary>
    private static string? ParamOf(string? path) =>
        path is null || path == "$" ? null : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    private static string Reason(JsonException e)
    {
        // System.Text.Json names CLR types in conversion errors; the client needs the JSON view.
        if (e.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            return "the value has the wrong JSON type.";
        }

        var cut = e.Message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? e.Message[..cut] : e.Message;
    }
}
