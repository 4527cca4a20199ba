namespace CompanyOs.Cli.Hosting;

/// <summary>
/// Where the agent commands find their files: <c>config/llm.yaml</c> (looked up like <c>chat</c> does), <c>agents/</c> and
/// <c>tools.yaml</c> next to it, <c>prompts/</c> next to the config directory, and the SQLite event store
/// (<c>--db</c>, else <c>COMPANYOS_DB</c>, else <c>.companyos/companyos.db</c> under the working directory).
/// </summary>
internal sealed record CompanyOsPaths(string LlmConfig, string AgentsDirectory, string ToolsConfig, string PromptsDirectory, string Database, bool DatabaseGiven)
{
    public const string DatabaseVariable = "COMPANYOS_DB";

    public static readonly string DefaultDatabase = Path.Combine(".companyos", "companyos.db");

    public static CompanyOsPaths Resolve(string? config, string? database, CliEnvironment environment)
    {
        var llm = ConfigFileLocator.Locate(config, environment.WorkingDirectory);
        var configDirectory = Path.GetDirectoryName(llm)!;
        var root = Path.GetDirectoryName(configDirectory) ?? configDirectory;
        return new CompanyOsPaths(
            llm,
            Path.Combine(configDirectory, "agents"),
            Path.Combine(configDirectory, "tools.yaml"),
            Path.Combine(root, "prompts"),
            ResolveDatabase(database, environment),
            database is not null);
    }

    public static string ResolveDatabase(string? database, CliEnvironment environment)
    {
        var chosen = database ?? environment.Variables(DatabaseVariable);
        return Path.GetFullPath(string.IsNullOrWhiteSpace(chosen) ? DefaultDatabase : chosen, environment.WorkingDirectory);
    }
}
