using CompanyOs.Llm.Configuration;

namespace CompanyOs.Cli;

/// <summary>What the CLI reads from its surroundings; tests substitute their own.</summary>
/// <param name="Variables">Environment variable lookup.</param>
/// <param name="WorkingDirectory">Directory relative paths are resolved against.</param>
public sealed record CliEnvironment(Func<string, string?> Variables, string WorkingDirectory)
{
    /// <summary>The real process environment, current directory, standard input and terminal.</summary>
    public static CliEnvironment Process => new(ProcessEnvironment.Lookup, Directory.GetCurrentDirectory())
    {
        // On a terminal, .NET's Console.In edits the line itself and holds the console while it waits, so a Ctrl+C at a
        // prompt could not print the waiting run before the process was ended (exit 130, nothing shown). Reading the
        // raw stdin stream leaves line editing to the terminal and never blocks output.
        Input = Console.IsInputRedirected ? Console.In : new StreamReader(Console.OpenStandardInput()),
        InputIsInteractive = !Console.IsInputRedirected,
        OutputIsTerminal = !Console.IsOutputRedirected,
        TerminalWidth = Console.IsOutputRedirected ? null : TerminalColumns(),
    };

    /// <summary>Where answers to inline prompts (approvals, questions) are read from, one line each. Default: nothing (end of input).</summary>
    public TextReader Input { get; init; } = TextReader.Null;

    /// <summary>True when <see cref="Input"/> is a person at a terminal, so commands may prompt without <c>--interactive</c>.</summary>
    public bool InputIsInteractive { get; init; }

    /// <summary>True when standard output is a terminal: human output may use colours and the terminal's width.</summary>
    public bool OutputIsTerminal { get; init; }

    /// <summary>Columns of the terminal human output is laid out for; null = no limit (pipes, files).</summary>
    public int? TerminalWidth { get; init; }

    private static int? TerminalColumns()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
