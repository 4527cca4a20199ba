using System.Collections.Concurrent;
using System.Threading.Channels;
using CompanyOs.Agents.Steps;

namespace CompanyOs.Server.Agents;

/// <summary>
/// The steps of the runs this server drives, for the event streams that watch them: stored steps only say "read the
/// store now" (the store is the source of truth, so a watcher never skips or repeats an event), transient text deltas
/// carry the text. A slow watcher loses old notifications rather than slowing the drive down.
/// </summary>
internal sealed class RunStepHub
{
    private const int Capacity = 1024;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Channel<AgentStep>, byte>> _watchers = new(StringComparer.Ordinal);

    /// <summary>Watches one run until the returned subscription is disposed.</summary>
    public Subscription Watch(string runId)
    {
        var channel = Channel.CreateBounded<AgentStep>(new BoundedChannelOptions(Capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        _watchers.GetOrAdd(runId, _ => new()).TryAdd(channel, 0);
        return new Subscription(this, runId, channel);
    }

    /// <summary>The runtime's step callback.</summary>
    public ValueTask PublishAsync(AgentStep step, CancellationToken cancellationToken)
    {
        if (_watchers.TryGetValue(step.RunId, out var watchers))
        {
            foreach (var channel in watchers.Keys)
            {
                channel.Writer.TryWrite(step);
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Remove(string runId, Channel<AgentStep> channel)
    {
        if (_watchers.TryGetValue(runId, out var watchers))
        {
            watchers.TryRemove(channel, out _);
            if (watchers.IsEmpty)
            {
                _watchers.TryRemove(new KeyValuePair<string, ConcurrentDictionary<Channel<AgentStep>, byte>>(runId, watchers));
            }
        }
    }

    /// <summary>One watcher of one run.</summary>
    internal sealed class Subscription(RunStepHub hub, string runId, Channel<AgentStep> channel) : IDisposable
    {
        public ChannelReader<AgentStep> Steps => channel.Reader;

        public void Dispose() => hub.Remove(runId, channel);
    }
}
