using CompanyOs.Llm.Providers;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.PassThrough;

/// <summary>A passed-through stream is complete once a chunk carried a finish reason, as a converted OpenAI stream is.</summary>
internal sealed class PassThroughStreamTracker : StreamTracker
{
    private bool _finished;

    public override bool IsComplete => _finished;

    public override ChatResponseUpdate? Observe(ChatResponseUpdate update)
    {
        _finished |= update.FinishReason is not null;
        // By index: a foreach over the IList would box its enumerator, once per chunk.
        var contents = update.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is PassThroughEvent { UsageOnly: false })
            {
                ProducedOutput = true;
            }
        }

        return update;
    }
}
