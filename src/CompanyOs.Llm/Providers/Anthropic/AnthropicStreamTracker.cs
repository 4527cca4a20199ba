using global::Anthropic.Models.Messages;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers.Anthropic;

/// <summary>
/// Follows the raw SSE events under the SDK's updates: usage from <c>message_start</c> merged with the cumulative
/// <c>message_delta</c> usage (whose fields may be partial), and completion only on <c>message_stop</c>.
/// </summary>
internal sealed class AnthropicStreamTracker : StreamTracker
{
    private long? _input;
    private long? _output;
    private long? _cacheRead;
    private long? _cacheWrite;
    private bool _stopped;

    public override bool IsComplete => _stopped;

    public override ChatResponseUpdate? Observe(ChatResponseUpdate update)
    {
        NoteContent(update);
        if (update.RawRepresentation is RawMessageStreamEvent raw)
        {
            if (raw.TryPickStart(out var start) && start.Message.Usage is { } u)
            {
                _input = u.InputTokens;
                _output = u.OutputTokens;
                _cacheRead = u.CacheReadInputTokens;
                _cacheWrite = u.CacheCreationInputTokens;
            }
            else if (raw.TryPickDelta(out var delta) && delta.Usage is { } d)
            {
                _input = d.InputTokens ?? _input;
                _output = d.OutputTokens;
                _cacheRead = d.CacheReadInputTokens ?? _cacheRead;
                _cacheWrite = d.CacheCreationInputTokens ?? _cacheWrite;
            }
            else if (raw.TryPickStop(out _))
            {
                _stopped = true;
            }
        }

        for (var i = 0; i < update.Contents.Count; i++)
        {
            if (update.Contents[i] is UsageContent)
            {
                update.Contents[i] = new UsageContent(AnthropicUsage.Create(_input, _output, _cacheRead, _cacheWrite));
            }
        }

        return update;
    }
}
