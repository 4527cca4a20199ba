using System.CommandLine;
using CompanyOs.Cli.Hosting;

namespace CompanyOs.Cli.Commands.Runs;

/// <summary>The options every command that drives a run shares: where things are, JSON, and whether to prompt.</summary>
internal sealed class AgentCommandOptions
{
    public Option<string?> Database { get; } = new("--db")
    {
        Description = $"SQLite event store file (default: ${CompanyOsPaths.DatabaseVariable}, else {CompanyOsPaths.DefaultDatabase} in the nearest folder up from here with .companyos/ or config/llm.yaml, else here).",
    };

    public Option<string?> Config { get; } = new("--config", "-c")
    {
        Description = $"LLM configuration (default: {ConfigFileLocator.DefaultPath}); agents/, tools.yaml and ../prompts/ are found next to it.",
    };

    public Option<bool> Json { get; } = new("--json") { Description = "JSON lines on stdout: one object per step, then a result object. Prompts (on stderr) only with --interactive." };

    public Option<bool> NoInput { get; } = new("--no-input")
    {
        Description = $"Never prompt: list pending approvals with the commands to decide them and exit with code {ExitCodes.AwaitingInput}.",
    };

    public Option<bool> Interactive { get; } = new("--interactive", "-i")
    {
        Description = "Prompt for approvals and answers even when stdin is not a terminal (one line per answer).",
    };

    public Option<bool> Emulator { get; } = new("--emulator")
    {
        Description = "Answer from the built-in emulator even when API keys are set (it is used anyway for providers without a key).",
    };

    public Option<bool> AllowMissingTools { get; } = new("--allow-missing-tools")
    {
        Description = "Drive or decide the run even if this configuration lacks tools the run was started with (calls to them then fail).",
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Show which config and database are used, and each tool's whole output under its step (without it: a one-line preview).",
    };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Verbose);
        command.Options.Add(Database);
        command.Options.Add(Config);
        command.Options.Add(Json);
        command.Options.Add(NoInput);
        command.Options.Add(Interactive);
        command.Options.Add(Emulator);
        command.Options.Add(AllowMissingTools);
    }

    public AgentCommandSettings Read(ParseResult parse) => new(
        parse.GetValue(Database), parse.GetValue(Config), parse.GetValue(Json), parse.GetValue(NoInput), parse.GetValue(Interactive), parse.GetValue(Emulator),
        parse.GetValue(AllowMissingTools)) { Verbose = parse.GetValue(Verbose) };
}

/// <summary>Values of <see cref="AgentCommandOptions"/> for one invocation; <paramref name="AutoApprove"/> approves every tool call without asking (<c>demo --yes</c>).</summary>
internal sealed record AgentCommandSettings(
    string? Database, string? Config, bool Json, bool NoInput, bool Interactive, bool ForceEmulator, bool AllowMissingTools, bool AutoApprove = false)
{
    /// <summary>Whole tool outputs in human output (<c>--verbose</c>).</summary>
    public bool Verbose { get; init; }

    /// <summary>The command prints its own EMULATED banner on stdout (<c>demo</c>), so the stderr notice would say it twice.</summary>
    public bool OwnEmulatedBanner { get; init; }
}
