namespace CompanyOs.Cli.Runs;

/// <summary>What every run output needs to know besides the run: which providers are emulated and how to repeat <c>--db</c>.</summary>
/// <param name="Emulated">Provider names answered by the emulator.</param>
/// <param name="DatabaseArgument">Appended to printed commands (e.g. <c> --db '/tmp/x.db'</c>), empty for the default database.</param>
internal sealed record RunOutputSettings(IReadOnlyList<string> Emulated, string DatabaseArgument);
