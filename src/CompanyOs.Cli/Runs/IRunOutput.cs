using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Steps;
using CompanyOs.Cli.Hosting;

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

    /// <summary>
    /// Shows the gateway's activity as this output does (a terminal's status line, <c>--json</c> records; otherwise the
    /// default stderr lines stay), and remembers it to name each provider's failure when a run fails on all of them.
    /// </summary>
    void Observe(GatewayActivity activity);
}

/// <summary>What every run output needs to know besides the run: which providers are emulated and where configuration and store are.</summary>
/// <param name="Emulated">Provider names answered by the emulator.</param>
/// <param name="Database">The event store file (absolute).</param>
/// <param name="Config">This process's <c>llm.yaml</c> (absolute): used in printed commands for runs that did not record theirs.</param>
internal sealed record RunOutputSettings(IReadOnlyList<string> Emulated, string Database, string Config)
{
    /// <summary>Show every tool's whole output under its step line (<c>--verbose</c>), not only a preview.</summary>
    public bool Verbose { get; init; }

    /// <summary>
    /// Appended to every printed command, so that it works as printed from any directory: <c> -c '&lt;llm.yaml&gt;' --db '&lt;file&gt;'</c>,
    /// with the configuration the run was started with (its tools) when it recorded one.
    /// </summary>
    public string CommandArguments(RunState? state = null) =>
        $" -c {ShellText.Quote(state?.Start?.ConfigPath ?? Config)} --db {ShellText.Quote(Database)}";
}
