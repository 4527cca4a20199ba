using System.CommandLine;
using CompanyOs.Cli.Commands;

namespace CompanyOs.Cli;

/// <summary>The <c>companyos</c> command line. Each command lives in its own file under <c>Commands/</c>; register it here.</summary>
public static class CompanyOsCli
{
    /// <summary>Builds the root command with every subcommand.</summary>
    public static RootCommand BuildRoot(CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var root = new RootCommand("CompanyOS: LLM gateway and agent runtime. Runs against a built-in emulator when no API key is set.");
        root.Subcommands.Add(ChatCommand.Create(environment));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>, writing to the given streams; returns the exit code.</summary>
    public static Task<int> RunAsync(
        string[] args, CliEnvironment environment, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var parse = BuildRoot(environment).Parse(args);
        return parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }
}
