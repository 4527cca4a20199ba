using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace CompanyOs.Agents.Steps;

/// <summary>Turns a callback-driven operation into an <see cref="IAsyncEnumerable{T}"/> of its steps, for live UIs.</summary>
public static class AgentSteps
{
    /// <summary>
    /// Runs <paramref name="operation"/> with a callback that feeds the returned sequence; the sequence ends when the operation
    /// returns and rethrows its failure. Abandoning the enumeration cancels the operation.
    /// </summary>
    public static async IAsyncEnumerable<AgentStep> Create<T>(
        Func<AgentStepCallback, CancellationToken, Task<T>> operation, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var channel = Channel.CreateUnbounded<AgentStep>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = Task.Run(
            async () =>
            {
                try
                {
                    await operation((step, _) => channel.Writer.WriteAsync(step, CancellationToken.None), stop.Token).ConfigureAwait(false);
                    channel.Writer.TryComplete();
                }
                catch (Exception ex)
                {
                    channel.Writer.TryComplete(ex);
                }
            },
            CancellationToken.None);
        try
        {
            await foreach (var step in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return step;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await running.ConfigureAwait(false);
        }
    }
}
