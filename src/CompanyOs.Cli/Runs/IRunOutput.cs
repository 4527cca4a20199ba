using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Steps;

namespace CompanyOs.Cli.Runs;

/// <summary>How a driven run is shown: live steps, then where it ended (human text or JSON lines).</summary>
internal interface IRunOutput
{
    /// <summary>Where inline prompts are written (so that JSON on stdout stays parseable).</summary>
    TextWriter PromptWriter { get; }

    ValueTask WriteStepAsync(AgentStep step, CancellationToken cancellationToken);

    /// <summary>The final state; <paramref name="listPending"/> prints the pending decisions with the commands that give them.</summary>
    Task WriteResultAsync(AgentRunResult result, bool listPending);

    Task WriteInterruptedAsync(string runId);
}
