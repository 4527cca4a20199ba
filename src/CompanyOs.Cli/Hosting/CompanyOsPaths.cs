namespace CompanyOs.Cli.Hosting;

/// <summary>
/// Where the agent commands find their files: <c>config/llm.yaml</c> (looked up like <c>chat</c> does), <c>agents/</c> and
/// <c>tools.yaml</c> next to it, <c>prompts/</c> next to the config directory, and the SQLite event store
/// (<c>--db</c>, else <c>COMPANYOS_DB</c>, else <c>.companyos/companyos.db</c> in the nearest project folder, see <see cref="ResolveDatabase"/>).
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

    /// <summary>
    /// <c>--db</c>, else <c>COMPANYOS_DB</c>, else <c>.companyos/companyos.db</c> in the project: the nearest of the working
    /// directory and its parents that has a <c>.companyos/</c> or a <c>config/llm.yaml</c> — the same upward search that
    /// finds the configuration, so every folder of a project uses one store — else the working directory.
    /// </summary>
    public static string ResolveDatabase(string? database, CliEnvironment environment) => ResolveDatabaseWithRule(database, environment).Path;

    /// <summary><see cref="ResolveDatabase"/> with the rule that chose the path (shown by <c>doctor</c>).</summary>
    public static (string Path, string Rule) ResolveDatabaseWithRule(string? database, CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrWhiteSpace(database))
        {
            return (Path.GetFullPath(database, environment.WorkingDirectory), "--db");
        }

        if (environment.Variables(DatabaseVariable) is { } variable && !string.IsNullOrWhiteSpace(variable))
        {
            return (Path.GetFullPath(variable, environment.WorkingDirectory), DatabaseVariable);
        }

        for (var dir = new DirectoryInfo(environment.WorkingDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, ".companyos")) || File.Exists(Path.Combine(dir.FullName, ConfigFileLocator.DefaultPath)))
            {
                var rule = dir.FullName == Path.GetFullPath(environment.WorkingDirectory).TrimEnd(Path.DirectorySeparatorChar) || dir.FullName == environment.WorkingDirectory
                    ? "the project folder (the working directory has .companyos/ or config/llm.yaml)"
                    : "searched upwards to the project folder with .companyos/ or config/llm.yaml";
                return (Path.Combine(dir.FullName, DefaultDatabase), rule);
            }
        }

        return (Path.GetFullPath(DefaultDatabase, environment.WorkingDirectory), "default under the working directory: no project folder found upwards");
    }
}
