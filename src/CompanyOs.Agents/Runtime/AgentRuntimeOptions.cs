using System.ComponentModel.DataAnnotations;

namespace CompanyOs.Agents.Runtime;

/// <summary>Runtime-wide limits. Per-agent settings live in the agent definitions.</summary>
public sealed record AgentRuntimeOptions
{
    /// <summary>Tool outputs longer than this are stored (and shown to the model) cut, with a marker saying how much was cut.</summary>
    [Range(1_000, 10_000_000)]
    public int MaxToolOutputChars { get; init; } = 100_000;

    /// <summary>How often a decision or cancellation is retried when it races another writer of the same run.</summary>
    [Range(1, 100)]
    public int ConflictRetries { get; init; } = 8;

    /// <summary>
    /// When a step observer is attached (a callback or <c>RunStreamingAsync</c>), ask the model for a streamed answer and
    /// emit its text as transient <see cref="Steps.AgentStepKind.TextDelta"/> steps. Without an observer the model is always
    /// asked for a whole answer. A stream that breaks after its first text is asked again without streaming (the gateway
    /// retries and falls back as usual) and a <c>Restart</c> delta tells the observer to discard the partial text.
    /// </summary>
    public bool StreamModelOutput { get; init; } = true;

    /// <summary>The user message of the last, tools-disabled turn at max iterations.</summary>
    public string FinalTurnInstruction { get; init; } =
        "You have reached the maximum number of iterations for this task and tools are no longer available. "
        + "Give your best final answer now from what you have found so far, and say what is still open.";

    internal void Validate()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
    }
}
