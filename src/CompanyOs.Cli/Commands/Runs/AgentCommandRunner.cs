using CompanyOs.Cli.Errors;
using CompanyOs.Cli.Hosting;
using CompanyOs.Cli.Runs;

namespace CompanyOs.Cli.Commands.Runs;

/// <summary>Opens the <see cref="AgentHost"/> and hands a ready <see cref="RunSession"/> (which prints the host's notices once it drives the run) to a command.</summary>
internal static class AgentCommandRunner
{
    public static Task<int> RunAsync(
        AgentCommandSettings settings,
        CliEnvironment environment,
        TextWriter output,
        TextWriter error,
        AgentOverrides? overrides,
        bool requireDatabase,
        Func<AgentHost, RunSession, Task<int>> action,
        CancellationToken cancellationToken) =>
        CommandBoundary.RunAsync(error, async () =>
        {
            if (settings.NoInput && settings.Interactive)
            {
                throw new CliUsageException("--no-input and --interactive contradict each other; give one.");
            }

            var paths = CompanyOsPaths.Resolve(settings.Config, settings.Database, environment);
            if (settings.Verbose)
            {
                await error.WriteLineAsync($"config: {paths.LlmConfig} (agents: {paths.AgentsDirectory}, tools: {paths.ToolsConfig}, prompts: {paths.PromptsDirectory})").ConfigureAwait(false);
                await error.WriteLineAsync($"database: {paths.Database}").ConfigureAwait(false);
            }

            if (requireDatabase)
            {
                RunLookup.RequireDatabase(paths.Database);
            }

            await using var host = await AgentHost.OpenAsync(paths, environment, settings.ForceEmulator, settings.AllowMissingTools, overrides, error, cancellationToken).ConfigureAwait(false);
            var outputSettings = new RunOutputSettings(host.Emulated, paths.Database, paths.LlmConfig) { Verbose = settings.Verbose };
            // The status line is for a person watching a terminal: not in pipes, files or --json.
            await using var status = !settings.Json && environment.OutputIsTerminal
                ? new TerminalStatus(output, TimeProvider.System, CliConsole.Colours(environment), environment.TerminalWidth)
                : null;
            IRunOutput runOutput = settings.Json
                ? new JsonRunOutput(output, error, outputSettings)
                : new HumanRunOutput(CliConsole.Create(output, environment), output, outputSettings, status);
            runOutput.Observe(host.Activity);
            var prompting = settings.AutoApprove || (!settings.NoInput && (settings.Interactive || (environment.InputIsInteractive && !settings.Json)));
            var prompter = prompting
                ? new ApprovalPrompter(host.Runtime, environment.Input, runOutput.PromptWriter, environment.Variables("USER"), runOutput.WriteStepAsync, settings.AutoApprove)
                : null;
            IReadOnlyList<string> notices = settings.OwnEmulatedBanner ? [.. host.Notices.Where(n => !ReferenceEquals(n, host.EmulatedNotice))] : host.Notices;
            return await action(host, new RunSession(runOutput, prompter, error, outputSettings, notices)).ConfigureAwait(false);
        });
}
