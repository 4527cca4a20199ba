using Spectre.Console;

namespace CompanyOs.Cli.Runs;

/// <summary>Spectre.Console over a given writer: colours only on a real terminal (and never with <c>NO_COLOR</c>); no wrapping elsewhere.</summary>
internal static class CliConsole
{
    /// <summary>Colours (and other text attributes) only on a terminal, and not with <c>NO_COLOR</c>.</summary>
    public static bool Colours(CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment.OutputIsTerminal && string.IsNullOrEmpty(environment.Variables("NO_COLOR"));
    }

    public static IAnsiConsole Create(TextWriter writer, CliEnvironment environment)
    {
        var terminal = Colours(environment);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        // Pipes, files and tests get one line per step, whatever its length; a terminal is laid out for its width.
        console.Profile.Width = environment.TerminalWidth ?? 100_000;

        return console;
    }
}
