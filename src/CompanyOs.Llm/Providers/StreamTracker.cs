using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers;

/// <summary>Watches one stream: normalises each update and tells whether the provider's terminal event arrived.</summary>
internal abstract class StreamTracker
{
    /// <summary>True once the stream has ended properly (a truncated stream must not look like a success).</summary>
    public abstract bool IsComplete { get; }

    /// <summary>True once any update carried content (text, tool call) — after that, failures are interruptions.</summary>
    public bool ProducedOutput { get; protected set; }

    /// <summary>Returns the update to pass on (possibly adjusted); null to drop it.</summary>
    public abstract ChatResponseUpdate? Observe(ChatResponseUpdate update);

    protected void NoteContent(ChatResponseUpdate update)
    {
        if (update.Contents.Any(c => c is TextContent { Text.Length: > 0 } or FunctionCallContent))
        {
            ProducedOutput = true;
        }
    }
}
