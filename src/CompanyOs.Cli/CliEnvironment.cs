using CompanyOs.Llm.Configuration;

namespace CompanyOs.Cli;

/// <summary>What the CLI reads from its surroundings; tests substitute their own.</summary>
/// <param name="Variables">Environment variable lookup.</param>
/// <param name="WorkingDirectory">Directory relative paths are resolved against.</param>
public sealed record CliEnvironment(Func<string, string?> Variables, string WorkingDirectory)
{
    /// <summary>The real process environment and current directory.</summary>
    public static CliEnvironment Process => new(ProcessEnvironment.Lookup, Directory.GetCurrentDirectory());
}
