using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers.Ollama;

/// <summary>Ollama streams end with a <c>done: true</c> chunk (a finish reason on the update); tool calls get ids.</summary>
internal sealed class OllamaStreamTracker(OllamaDialect dialect) : StreamTracker
{
    private readonly FinishReasonStreamTracker _inner = new(dialect);

    public override bool IsComplete => _inner.IsComplete;

    public override ChatResponseUpdate? Observe(ChatResponseUpdate update)
    {
        OllamaDialect.EnsureCallIds(update.Contents);
        NoteContent(update);
        return _inner.Observe(update);
    }
}
