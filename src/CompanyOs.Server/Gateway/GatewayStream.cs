using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Providers;
using CompanyOs.Server.Errors;
using CompanyOs.Server.Hosting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace CompanyOs.Server.Gateway;

/// <summary>
/// Runs a streaming gateway call for an SSE endpoint. The first update is awaited before the response starts, so that
/// everything the gateway refuses up front (routing, budget, rate limit, an upstream that never answered) still gets its
/// own status code; a failure after that is handed to the <c>fail</c> callback to end the stream with the wire's error
/// event — never with a clean end. At the shutdown drain deadline the stream ends with such an error too. The route's facts
/// are headers (written once the first update arrived, so provider and fallback are final); the cost, known only at the
/// end, is the SSE comment <c>: x-companyos-cost-usd: …</c> before the closing events (or before the error event), sent
/// with them: the <c>complete</c> and <c>fail</c> callbacks must flush what they write.
/// </summary>
internal static class GatewayStream
{
    // Kestrel's abort drops output the transport has not sent yet: on a loaded machine 50 ms lost the error event of some of
    // 20 streams cut at shutdown (SigtermTests). A client that reads the event and hangs up ends the wait at once.
    private static readonly TimeSpan ErrorEventDrain = TimeSpan.FromMilliseconds(500);

    public static async Task RunAsync(
        HttpContext http,
        IAsyncEnumerable<ChatResponseUpdate> stream,
        Func<ChatResponseUpdate, Task> write,
        Func<Task> complete,
        Func<Exception, Task> fail)
    {
        var cancellationToken = http.RequestAborted;
        var drainExpired = http.RequestServices.GetRequiredService<ShutdownDrain>().Expired;

        // The provider's chunks are handled on the socket thread they arrive on, up to the configured number of streams.
        using var inline = ProviderReads.PreferInline(http.RequestServices.GetRequiredService<IOptions<ServerOptions>>().Value.InlineStreams);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, drainExpired);
        await using var updates = stream.GetAsyncEnumerator(linked.Token);
        bool hasMore;
        try
        {
            hasMore = await updates.MoveNextAsync();
        }
        catch (OperationCanceledException) when (drainExpired.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw ShuttingDown();
        }

        if (hasMore)
        {
            GatewayHeaders.Apply(http.Response, LlmCallRoute.From(updates.Current));
        }

        await ServerSentEvents.StartAsync(http.Response, cancellationToken);
        LlmCallInfo? info = null;
        try
        {
            while (hasMore)
            {
                info = LlmCallInfo.From(updates.Current) ?? info;
                await write(updates.Current);
                hasMore = await updates.MoveNextAsync();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return; // the client went away: the gateway settles usage for what was consumed; nobody is left to tell
        }
        catch (OperationCanceledException) when (drainExpired.IsCancellationRequested)
        {
            await FailAsync(http, fail, ShuttingDown());
            return;
        }
        catch (Exception e)
        {
            // What an interrupted stream was charged goes before the error event that ends it.
            await FailAsync(http, fail, e, LlmCallInfo.From(e));
            return;
        }

        if (drainExpired.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // A layer below may end quietly when cancelled; an end after the deadline is never a proof of completeness.
            await FailAsync(http, fail, ShuttingDown());
            return;
        }

        if (!cancellationToken.IsCancellationRequested)
        {
            AppendCost(http, info);
            await complete();
        }
    }

    /// <summary>
    /// Writes the wire's error event, then resets the connection instead of ending the response: a client that ignores
    /// in-stream error events (the OpenAI .NET SDK reads <c>data: {"error":…}</c> as an empty chunk) still fails, with a
    /// transport error, rather than taking a cut answer for a complete one.
    /// </summary>
    private static async Task FailAsync(HttpContext http, Func<Exception, Task> fail, Exception exception, LlmCallInfo? charged = null)
    {
        try
        {
            AppendCost(http, charged);
            await fail(exception);

            // Bytes flushed a moment ago may still be on their way to the socket; a reset at once could drop the error event.
            await Task.Delay(ErrorEventDrain, http.RequestServices.GetRequiredService<TimeProvider>(), http.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client is gone already.
        }

        http.Abort();
    }

    /// <summary>The cost comment, sent by the <c>complete</c> or <c>fail</c> callback that follows with the closing lines.</summary>
    private static void AppendCost(HttpContext http, LlmCallInfo? info)
    {
        if (GatewayHeaders.CostComment(info) is { } comment)
        {
            ServerSentEvents.AppendRaw(http.Response, comment);
        }
    }

    private static ApiRequestException ShuttingDown() => new(new ApiError(ApiErrorKind.UpstreamUnavailable,
        "The server is shutting down: the stream was ended after the shutdown drain time. Retry the request."));
}
