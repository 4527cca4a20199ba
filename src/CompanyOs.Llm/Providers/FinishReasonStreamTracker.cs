using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers;

/// <summary>A stream is complete once an update carried a finish reason (OpenAI <c>finish_reason</c>, Ollama <c>done</c>).</summary>
internal sealed class FinishReasonStreamTracker(ProviderDialect dialect) : StreamTracker
{
    private bool _finished;

    public override bool IsComplete => _finished;

    public override ChatResponseUpdate? Observe(ChatResponseUpdate update)
    {
        NoteContent(update);
        _finished |= update.FinishReason is not null;
        // By index: a foreach over the IList would box its enumerator, once per update.
        var contents = update.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is UsageContent usage)
            {
                usage.Details = dialect.NormaliseUsage(usage.Details) ?? usage.Details;
            }
        }

        return update;
    }
}
