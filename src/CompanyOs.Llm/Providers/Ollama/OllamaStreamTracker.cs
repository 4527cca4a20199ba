using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers.Ollama;

/// <summary>Ollama streams end with a <c>done: true</c> chunk (a finish reason on the update); tool calls get ids.</summary>
internal sealed class OllamaStreamTracker(OllamaDialect dialect) : StreamTracker
{
    private readonly FinishReasonStreamTracker _inner = new(dialect);
    private bool _sawToolCall;

    public override bool IsComplete => _inner.IsComplete;

    public override ChatResponseUpdate? Observe(ChatResponseUpdate update)
    {
        OllamaDialect.EnsureCallIds(update.Contents);
        _sawToolCall |= update.Contents.Any(c => c is FunctionCallContent);
        if (_sawToolCall && update.FinishReason == ChatFinishReason.Stop)
        {
            // Ollama reports done_reason "stop" even when the turn is tool calls.
            update.FinishReason = ChatFinishReason.ToolCalls;
        }

        NoteContent(update);
        return _inner.Observe(update);
    }
}
