using System.CommandLine;
using System.CommandLine.Parsing;
using CompanyOs.Cli.Commands;
using CompanyOs.Cli.Commands.Completion;
using CompanyOs.Cli.Commands.Demo;
using CompanyOs.Cli.Commands.Doctor;
using CompanyOs.Cli.Commands.Init;
using CompanyOs.Cli.Commands.Prompts;
using CompanyOs.Cli.Commands.Runs;
using CompanyOs.Cli.Commands.Serving;

namespace CompanyOs.Cli;

/// <summary>The <c>companyos</c> command line. Each command lives in its own file under <c>Commands/</c>; register it here.</summary>
public static class CompanyOsCli
{
    /// <summary>Builds the root command with every subcommand.</summary>
    public static RootCommand BuildRoot(CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var root = new RootCommand("CompanyOS: LLM gateway and agent runtime. Runs against a built-in emulator when no API key is set.");
        root.Subcommands.Add(DemoCommand.Create(environment));
        root.Subcommands.Add(ChatCommand.Create(environment));
        root.Subcommands.Add(RunCommand.Create(environment));
        root.Subcommands.Add(RunsCommand.Create(environment));
        root.Subcommands.Add(RunsCommand.Show("trace", environment));
        root.Subcommands.Add(DecisionCommands.Approve(environment));
        root.Subcommands.Add(DecisionCommands.Reject(environment));
        root.Subcommands.Add(DecisionCommands.Answer(environment));
        root.Subcommands.Add(DecisionCommands.Resume(environment));
        root.Subcommands.Add(DecisionCommands.Cancel(environment));
        root.Subcommands.Add(StatsCommand.Create(environment));
        root.Subcommands.Add(PromptsCommand.Create(environment));
        root.Subcommands.Add(ServeCommand.Create(environment));
        root.Subcommands.Add(KeysCommand.Create(environment));
        root.Subcommands.Add(EmulatorCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create(environment));
        root.Subcommands.Add(InitCommand.Create(environment));
        root.Subcommands.Add(CompletionCommand.Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>, writing to the given streams; returns the exit code.</summary>
    public static async Task<int> RunAsync(
        string[] args, CliEnvironment environment, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        // No response files: "@claude hi" is a prompt, not a file to expand (texts come from files only with --task-file).
        var parse = BuildRoot(environment).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0 && parse.Action is System.CommandLine.Invocation.ParseErrorAction)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync($"error: {problem.Message}").ConfigureAwait(false);
            }

            var names = new List<string>();
            for (var result = parse.CommandResult; result.Parent is CommandResult parent; result = parent)
            {
                names.Insert(0, result.Command.Name);
            }

            await error.WriteLineAsync($"See: companyos {string.Join(' ', [.. names, "--help"])}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        var invocation = new InvocationConfiguration { Output = output, Error = error };
        if (parse.CommandResult.Command.Name is ServeCommand.Name or EmulatorCommand.Name)
        {
            // They stop on SIGTERM/Ctrl+C themselves, draining open requests for longer than System.CommandLine waits for an
            // action after cancelling it (2 s, then exit 143/130 with the server still running).
            invocation.ProcessTerminationTimeout = null;
        }

        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }
}
