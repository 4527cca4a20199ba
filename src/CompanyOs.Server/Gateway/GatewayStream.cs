using Microsoft.Extensions.AI;

namespace CompanyOs.Server.Gateway;

/// <summary>
/// Runs a streaming gateway call for an SSE endpoint. The first update is awaited before the response starts, so that
/// everything the gateway refuses up front (routing, budget, rate limit, an upstream that never answered) still gets its
/// own status code; a failure after that is handed to the <c>fail</c> callback to end the stream with the wire's error
/// event — never with a clean end.
/// </summary>
internal static class GatewayStream
{
    public static async Task RunAsync(
        HttpContext http,
        IAsyncEnumerable<ChatResponseUpdate> stream,
        Func<ChatResponseUpdate, Task> write,
        Func<Task> complete,
        Func<Exception, Task> fail)
    {
        var cancellationToken = http.RequestAborted;
        await using var updates = stream.GetAsyncEnumerator(cancellationToken);
        var hasMore = await updates.MoveNextAsync();
        await ServerSentEvents.StartAsync(http.Response, cancellationToken);
        try
        {
            while (hasMore)
            {
                await write(updates.Current);
                hasMore = await updates.MoveNextAsync();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return; // the client went away: the gateway settles usage for what was consumed; nobody is left to tell
        }
        catch (Exception e)
        {
            await fail(e);
            return;
        }

        await complete();
    }
}
