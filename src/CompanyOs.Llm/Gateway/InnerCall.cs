using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Gateway;

/// <summary>
/// Starting an inner call from a stage that hands a completed answer straight back (no async state of its own): a client
/// that throws instead of returning a faulted task is turned into that faulted task, so that the stage's failure handling,
/// which awaits it, sees every failure the same way an async stage would.
/// </summary>
internal static class InnerCall
{
    public static Task<ChatResponse> Start(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        try
        {
            return client.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (Exception ex)
        {
            return Task.FromException<ChatResponse>(ex);
        }
    }
}
