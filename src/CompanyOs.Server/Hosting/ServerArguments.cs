using CompanyOs.Configuration;
using System.Globalization;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// The command line: <c>--config FILE</c> (llm.yaml), <c>--server-config FILE</c> (server.yaml), <c>--emulator</c>, <c>--keys-db FILE</c>, <c>--urls URL</c>, plus any
/// <c>--Section:Key=value</c> configuration override ASP.NET Core understands.
/// </summary>
internal static class ServerArguments
{
    private const string Source = "(server configuration)";

    /// <summary>
    /// The host's default <c>appsettings*.json</c> sources watch the content root for changes (a file-system watcher over the
    /// whole directory, sub-directories included). Nothing in the server reloads on a change, and with the SQLite store in
    /// the working directory every write to <c>keys.db-wal</c> woke that watcher: off, unless the command line turns it on.
    /// </summary>
    internal const string NoConfigReload = "--hostBuilder:reloadConfigOnChange=false";

    /// <summary>The arguments in ASP.NET Core's <c>--Section:Key=value</c> form, after <see cref="NoConfigReload"/> (a later argument wins).</summary>
    public static string[] Normalize(string[] args)
    {
        var normalized = new List<string>(args.Length + 1) { NoConfigReload };
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--emulator":
                    normalized.Add($"--{ServerOptions.SectionName}:Emulator=true");
                    break;
                case "--config" when i + 1 < args.Length:
                    normalized.Add($"--CompanyOs:Llm:ConfigFile={args[++i]}");
                    break;
                case "--server-config" when i + 1 < args.Length:
                    normalized.Add($"--{ServerOptions.SectionName}:ConfigFile={args[++i]}");
                    break;
                case "--keys-db" when i + 1 < args.Length:
                    normalized.Add($"--{ServerOptions.SectionName}:KeysDatabase={args[++i]}");
                    break;
                case var arg when arg.StartsWith("--config=", StringComparison.Ordinal):
                    normalized.Add($"--CompanyOs:Llm:ConfigFile={arg["--config=".Length..]}");
                    break;
                default:
                    normalized.Add(args[i]);
                    break;
            }
        }

        return [.. normalized];
    }

    /// <exception cref="ConfigurationException">A value of the <c>CompanyOs:Server</c> section cannot be used.</exception>
    /// <param name="configuration">The host's configuration (command line, environment, …).</param>
    /// <param name="contentRoot">Where relative paths start.</param>
    public static ServerOptions ReadOptions(IConfiguration configuration, string contentRoot)
    {
        var section = configuration.GetSection(ServerOptions.SectionName);
        var named = section["ConfigFile"] is { Length: > 0 } configFile ? configFile : null;
        var file = Path.Combine(contentRoot, named ?? ServerConfigFile.DefaultPath);
        if (named is not null && !File.Exists(file))
        {
            throw new ConfigurationException(Source, $"{ServerOptions.SectionName}:ConfigFile", $"the file '{file}' does not exist");
        }

        // The default file is optional; a named one is not.
        var options = File.Exists(file) ? ServerConfigFile.Load(file) : new ServerOptions();
        if (section["MaxRequestBodyBytes"] is { } limit)
        {
            options.MaxRequestBodyBytes = long.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0
                ? bytes
                : throw new ConfigurationException(Source, $"{ServerOptions.SectionName}:MaxRequestBodyBytes", $"must be a positive number of bytes, got '{limit}'");
        }

        if (section["Emulator"] is { } emulator)
        {
            options.Emulator = bool.TryParse(emulator, out var on)
                ? on
                : throw new ConfigurationException(Source, $"{ServerOptions.SectionName}:Emulator", $"must be true or false, got '{emulator}'");
        }

        if (section["DefaultOrg"] is { } org)
        {
            options.DefaultOrg = string.IsNullOrWhiteSpace(org)
                ? throw new ConfigurationException(Source, $"{ServerOptions.SectionName}:DefaultOrg", "must not be empty")
                : org;
        }

        if (section["ShutdownDrainSeconds"] is { } drain)
        {
            options.ShutdownDrainSeconds = int.TryParse(drain, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 3600
                ? seconds
                : throw new ConfigurationException(Source, $"{ServerOptions.SectionName}:ShutdownDrainSeconds", $"must be a whole number of seconds from 1 to 3600, got '{drain}'");
        }

        if (section["KeysDatabase"] is { Length: > 0 } keys)
        {
            options.KeysDatabase = keys;
        }

        options.KeyCacheSeconds = Whole(section, "KeyCacheSeconds", 0, 3600, "seconds") ?? options.KeyCacheSeconds;
        options.RequestHeadersTimeoutSeconds = Whole(section, "RequestHeadersTimeoutSeconds", 1, 3600, "seconds") ?? options.RequestHeadersTimeoutSeconds;
        options.KeepAliveTimeoutSeconds = Whole(section, "KeepAliveTimeoutSeconds", 1, 86400, "seconds") ?? options.KeepAliveTimeoutSeconds;
        options.MinRequestBodyBytesPerSecond = Whole(section, "MinRequestBodyBytesPerSecond", 0, int.MaxValue, "bytes per second") ?? options.MinRequestBodyBytesPerSecond;
        options.MinRequestBodyGraceSeconds = Whole(section, "MinRequestBodyGraceSeconds", 2, 3600, "seconds") ?? options.MinRequestBodyGraceSeconds;
        options.MaxRequestHeaderBytes = Whole(section, "MaxRequestHeaderBytes", 1024, 16 * 1024 * 1024, "bytes") ?? options.MaxRequestHeaderBytes;
        options.InlineStreams = Whole(section, "InlineStreams", 0, 100_000, "streams") ?? options.InlineStreams;

        if (section["KeysStore"] is { } store)
        {
            options.KeysStore = store is ServerOptions.SqliteStore or ServerOptions.PostgresStore
                ? store
                : throw new ConfigurationException(Source, $"{ServerOptions.SectionName}:KeysStore", $"must be '{ServerOptions.SqliteStore}' or '{ServerOptions.PostgresStore}', got '{store}'");
        }

        if (section["KeysConnectionStringEnv"] is { Length: > 0 } variable)
        {
            options.KeysConnectionStringEnv = variable;
        }

        ReadAgentOptions(section, options);
        ReadRedisOptions(section, options);

        return options;
    }

    private static void ReadAgentOptions(IConfigurationSection section, ServerOptions options)
    {
        options.RunsDatabase = section["RunsDatabase"] is { Length: > 0 } runs ? runs : options.RunsDatabase;
        options.RunsPostgres = section["RunsPostgres"] is { Length: > 0 } postgres ? postgres : options.RunsPostgres;
        options.RunsPostgresSchema = section["RunsPostgresSchema"] is { Length: > 0 } schema ? schema : options.RunsPostgresSchema;
        options.AgentsDirectory = section["AgentsDirectory"] is { Length: > 0 } agents ? agents : options.AgentsDirectory;
        options.ToolsConfig = section["ToolsConfig"] is { Length: > 0 } tools ? tools : options.ToolsConfig;
        options.PromptsDirectory = section["PromptsDirectory"] is { Length: > 0 } prompts ? prompts : options.PromptsDirectory;
        options.MaxConcurrentRuns = Whole(section, "MaxConcurrentRuns", 1, 1000, "runs") ?? options.MaxConcurrentRuns;
        options.RunLeaseSeconds = Whole(section, "RunLeaseSeconds", 1, 3600, "seconds") ?? options.RunLeaseSeconds;
    }

    private static void ReadRedisOptions(IConfigurationSection section, ServerOptions options)
    {
        if (section["Redis"] is { Length: > 0 } redis)
        {
            options.Redis = RedisSettings.Check(redis, problem => new ConfigurationException(Source, $"{ServerOptions.SectionName}:Redis", problem));
        }

        if (section["RedisKeyPrefix"] is { } prefix)
        {
            options.RedisKeyPrefix = RedisSettings.CheckPrefix(prefix, problem => new ConfigurationException(Source, $"{ServerOptions.SectionName}:RedisKeyPrefix", problem));
        }

        options.Instances = Whole(section, "Instances", 1, RedisSettings.MaxInstances, "instances") ?? options.Instances;
    }

    private static int? Whole(IConfigurationSection section, string key, int min, int max, string unit) =>
        section[key] is not { } text
            ? null
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? value
                : throw new ConfigurationException(Source, $"{ServerOptions.SectionName}:{key}",
                    string.Create(CultureInfo.InvariantCulture, $"must be a whole number of {unit} from {min} to {max}, got '{text}'"));
}
