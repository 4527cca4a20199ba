namespace CompanyOs.Cli.Commands.Runs;

/// <summary>Values of <see cref="AgentCommandOptions"/> for one invocation.</summary>
internal sealed record AgentCommandSettings(string? Database, string? Config, bool Json, bool NoInput, bool Interactive, bool ForceEmulator);
