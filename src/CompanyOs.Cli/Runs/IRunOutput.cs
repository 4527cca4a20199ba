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

/// <summary>What every run output needs to know besides the run: which providers are emulated and how to repeat <c>--db</c>.</summary>
/// <param name="Emulated">Provider names answered by the emulator.</param>
/// <param name="DatabaseArgument">Appended to printed commands (e.g. <c> --db '/tmp/x.db'</c>), empty for the default database.</param>
internal sealed record RunOutputSettings(IReadOnlyList<string> Emulated, string DatabaseArgument);
