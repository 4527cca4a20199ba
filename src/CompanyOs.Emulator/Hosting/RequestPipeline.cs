using System.Security.Cryptography;
using System.Text;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Model;
using Microsoft.AspNetCore.Http;

namespace CompanyOs.Emulator.Hosting;

/// <summary>
/// The steps every route shares, in order: count, read and record the request, resolve faults (header, then queue),
/// first-byte latency, status/reset faults, API-key check; then the route's own handler.
/// </summary>
internal sealed class RequestPipeline(EmulatorState state)
{
    public async Task RunAsync(HttpContext context, EmulatorRoute route, IErrorFormat errors, Func<RequestScope, Task> handle)
    {
        state.Ledger.Increment(route);
        var receivedAt = state.Time.GetUtcNow();
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }

        var faults = new List<Fault>();
        string? headerProblem = null;
        (TimeSpan FirstByte, TimeSpan Chunk) latency = default;
        var cache = CacheHint.None;
        try
        {
            if (request.Headers[EmulatorHeaders.Fault].ToString() is { Length: > 0 } faultHeader)
            {
                faults.AddRange(FaultHeaderParser.Parse(faultHeader));
            }

            latency = HeaderValues.Latency(request.Headers[EmulatorHeaders.Latency]);
            cache = HeaderValues.Cache(request.Headers[EmulatorHeaders.Cache]);
        }
        catch (FormatException e)
        {
            headerProblem = e.Message;
        }

        if (state.Faults.TryTake(route) is { } queued)
        {
            faults.Add(queued);
        }

        var faultText = faults.Count > 0 ? string.Join(", ", faults) : null;
        var recorded = new RecordedRequest(route, body, SafeHeaders(request.Headers), faultText) { ReceivedAt = receivedAt };
        state.Ledger.Record(recorded);
        try
        {
            await RespondAsync(context, route, errors, handle, body, faults, faultText, headerProblem, latency, cache, recorded.Response).ConfigureAwait(false);
        }
        finally
        {
            recorded.Response.Finish(aborted: context.RequestAborted.IsCancellationRequested);
        }
    }

    private async Task RespondAsync(
        HttpContext context, EmulatorRoute route, IErrorFormat errors, Func<RequestScope, Task> handle, string body, List<Fault> faults,
        string? faultText, string? headerProblem, (TimeSpan FirstByte, TimeSpan Chunk) latency, CacheHint cache, RecordedResponse progress)
    {
        var request = context.Request;
        if (headerProblem is not null)
        {
            EmulatorLog.Rejected(state.Logger, route, 400, headerProblem);
            await ResponseWriter.WriteErrorAsync(context, errors, 400, headerProblem).ConfigureAwait(false);
            return;
        }

        if (faultText is not null)
        {
            EmulatorLog.FaultInjected(state.Logger, route, faultText);
        }

        var firstByte = state.Options.FirstByteDelay + latency.FirstByte
            + faults.Where(f => f.Kind == FaultKind.SlowFirstByte).Aggregate(TimeSpan.Zero, (sum, f) => sum + f.Delay);
        if (firstByte > TimeSpan.Zero)
        {
            await Task.Delay(firstByte, state.Time, context.RequestAborted).ConfigureAwait(false);
        }

        foreach (var fault in faults)
        {
            if (fault.Kind == FaultKind.ConnectionReset)
            {
                context.Abort();
                return;
            }

            if (fault.Kind == FaultKind.Status)
            {
                await ResponseWriter.WriteErrorAsync(context, errors, fault.StatusCode, DefaultMessage(fault.StatusCode), null, fault, state.Time)
                    .ConfigureAwait(false);
                return;
            }
        }

        if (!IsAuthorized(request))
        {
            EmulatorLog.Rejected(state.Logger, route, 401, "API key missing or wrong");
            await ResponseWriter.WriteErrorAsync(context, errors, 401, "Invalid API key. The key sent does not match the emulator's configured key.")
                .ConfigureAwait(false);
            return;
        }

        var chunkDelay = state.Options.ChunkDelay + latency.Chunk;
        await handle(new RequestScope(context, state, route, errors, body, faults, chunkDelay, cache, request.Headers[EmulatorHeaders.Tag].ToString() is { Length: > 0 } tag ? tag : null, progress))
            .ConfigureAwait(false);
    }

    private bool IsAuthorized(HttpRequest request)
    {
        if (state.Options.ApiKey is not { } expected)
        {
            return true;
        }

        string presented = request.Headers["x-api-key"].ToString();
        var authorization = request.Headers.Authorization.ToString();
        if (presented.Length == 0 && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization["Bearer ".Length..].Trim();
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));
    }

    private static Dictionary<string, string> SafeHeaders(IHeaderDictionary headers) =>
        headers
            .Where(h => !EmulatorHeaders.Secret.Contains(h.Key, StringComparer.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);

    private static string DefaultMessage(int statusCode) => statusCode switch
    {
        400 => "Invalid request (emulated fault).",
        401 => "Invalid authentication (emulated fault).",
        403 => "Permission denied (emulated fault).",
        404 => "Not found (emulated fault).",
        429 => "Rate limit exceeded (emulated fault).",
        500 => "Internal server error (emulated fault).",
        503 => "Service unavailable (emulated fault).",
        529 => "Overloaded (emulated fault).",
        _ => $"HTTP {statusCode} (emulated fault).",
    };
}
