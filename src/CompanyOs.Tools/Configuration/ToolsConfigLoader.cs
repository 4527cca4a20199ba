using CompanyOs.Tools.FileSystem;
using CompanyOs.Tools.Mcp;
using CompanyOs.Tools.Registry;
using CompanyOs.Tools.Sandbox;
using CompanyOs.Tools.WebSearch;

namespace CompanyOs.Tools.Configuration;

/// <summary>
/// Loads <c>config/tools.yaml</c> into validated <see cref="ToolsOptions"/>: unknown keys, bad values, missing <c>${VAR}</c>s,
/// roots that do not exist and inconsistent MCP servers all fail here with the file, the key path and the reason.
/// Relative roots and MCP working directories resolve against the directory of the file.
/// </summary>
public sealed class ToolsConfigLoader
{
    private readonly Func<string, string?> _environment;

    /// <param name="environment">Environment lookup for <c>${VAR}</c>; default <see cref="ProcessEnvironment.Lookup"/>.</param>
    public ToolsConfigLoader(Func<string, string?>? environment = null) => _environment = environment ?? ProcessEnvironment.Lookup;

    /// <exception cref="ConfigurationException">The file is missing, unreadable or invalid.</exception>
    public async Task<ToolsOptions> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = await ConfigFile.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(path, string.Empty, $"cannot read the file: {e.Message}", e);
        }

        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <param name="yaml">The YAML text.</param>
    /// <param name="file">Name used in errors.</param>
    /// <param name="baseDirectory">Directory relative paths resolve against.</param>
    /// <exception cref="ConfigurationException">The text is not valid tools configuration.</exception>
    public ToolsOptions Parse(string yaml, string file, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrEmpty(file);
        var root = ConfigDocument.Parse(yaml, new ConfigReadContext(file, _environment));
        root.ExpectOnlyKeys("file_system", "web_search", "execute_code", "mcp_servers");
        return new ToolsOptions
        {
            SourceFile = file,
            FileSystem = ReadFileSystem(root.Child("file_system"), baseDirectory),
            WebSearch = ReadWebSearch(root.Child("web_search")),
            Sandbox = ReadSandbox(root.Child("execute_code")),
            McpServers = ReadMcpServers(root.Child("mcp_servers"), baseDirectory),
        };
    }

    private static FileSystemToolOptions? ReadFileSystem(ConfigNode node, string baseDirectory)
    {
        node.ExpectOnlyKeys("roots", "max_read_bytes", "max_list_entries");
        var roots = node.Child("roots").AsStringList();
        if (roots.Count == 0)
        {
            return null;
        }

        var resolved = new List<string>();
        for (var i = 0; i < roots.Count; i++)
        {
            var full = Path.GetFullPath(roots[i], baseDirectory);
            if (!Directory.Exists(full))
            {
                throw node.Child("roots").Error($"root '{roots[i]}' (resolved to {full}) is not an existing directory");
            }

            if (full == "/")
            {
                throw node.Child("roots").Error("root '/' would expose the whole machine");
            }

            resolved.Add(full);
        }

        var defaults = new FileSystemToolOptions();
        return new FileSystemToolOptions
        {
            Roots = resolved,
            MaxReadBytes = node.Child("max_read_bytes").AsInt(1, 64 * 1024 * 1024) ?? defaults.MaxReadBytes,
            MaxListEntries = node.Child("max_list_entries").AsInt(1, 100_000) ?? defaults.MaxListEntries,
        };
    }

    private static WebSearchOptions? ReadWebSearch(ConfigNode node)
    {
        node.ExpectOnlyKeys("provider", "base_url", "api_key", "request_timeout_seconds", "max_results");
        var providerNode = node.Child("provider");
        var provider = providerNode.AsString() switch
        {
            null or "none" => SearchProvider.None,
            "searxng" => SearchProvider.Searxng,
            "brave" => SearchProvider.Brave,
            var other => throw providerNode.Error($"unknown provider '{other}'; expected searxng, brave or none"),
        };
        if (provider == SearchProvider.None)
        {
            return null;
        }

        var baseUrl = node.Child("base_url").AsHttpUrl()
            ?? (provider == SearchProvider.Brave ? new Uri("https://api.search.brave.com/") : throw node.Child("base_url").Error("required for provider searxng (the instance URL)"));
        var apiKey = node.Child("api_key").AsString();
        if (provider == SearchProvider.Brave && string.IsNullOrEmpty(apiKey))
        {
            throw node.Child("api_key").Error("required for provider brave (use ${BRAVE_API_KEY})");
        }

        return new WebSearchOptions
        {
            Provider = provider,
            BaseUrl = baseUrl,
            ApiKey = apiKey,
            RequestTimeout = node.Child("request_timeout_seconds").AsSeconds(300) ?? TimeSpan.FromSeconds(10),
            MaxResults = node.Child("max_results").AsInt(1, BraveSearchClient.MaxCount) ?? 10,
        };
    }

    private static SandboxOptions ReadSandbox(ConfigNode node)
    {
        node.ExpectOnlyKeys("enabled", "bwrap_path", "cpu_seconds", "memory_mb", "max_processes", "max_file_mb", "work_dir_mb", "wall_timeout_seconds", "max_output_kb");
        var d = new SandboxOptions();
        return new SandboxOptions
        {
            Enabled = node.Child("enabled").AsBool() ?? false,
            BwrapPath = node.Child("bwrap_path").AsString() ?? d.BwrapPath,
            CpuSeconds = node.Child("cpu_seconds").AsInt(1, 3600) ?? d.CpuSeconds,
            MemoryBytes = (node.Child("memory_mb").AsInt(64, 65536) ?? (int)(d.MemoryBytes >> 20)) * 1024L * 1024,
            MaxProcesses = node.Child("max_processes").AsInt(4, 4096) ?? d.MaxProcesses,
            MaxFileBytes = (node.Child("max_file_mb").AsInt(1, 4096) ?? (int)(d.MaxFileBytes >> 20)) * 1024L * 1024,
            WorkDirBytes = (node.Child("work_dir_mb").AsInt(1, 4096) ?? (int)(d.WorkDirBytes >> 20)) * 1024L * 1024,
            WallTimeout = node.Child("wall_timeout_seconds").AsSeconds(3000) ?? d.WallTimeout,
            MaxOutputBytes = (node.Child("max_output_kb").AsInt(1, 16 * 1024) ?? d.MaxOutputBytes / 1024) * 1024,
        };
    }

    private static List<McpServerOptions> ReadMcpServers(ConfigNode node, string baseDirectory)
    {
        var servers = new List<McpServerOptions>();
        if (node.IsNull)
        {
            return servers;
        }

        foreach (var (name, server) in node.Entries())
        {
            server.ExpectOnlyKeys("command", "args", "env", "working_directory", "url", "headers", "risk", "idempotent", "timeout_seconds", "connect_timeout_seconds");
            if (!ToolNames.IsValid(name) || name.Contains("__", StringComparison.Ordinal) || name.Length > 30)
            {
                throw server.Error($"server name '{name}' must be 1-30 characters of A-Z, a-z, 0-9, '_' or '-' without '__' (it prefixes tool names)");
            }

            var command = server.Child("command").AsString();
            var url = server.Child("url").AsHttpUrl();
            if ((command is null) == (url is null))
            {
                throw server.Error("set exactly one of 'command' (stdio server) or 'url' (streamable HTTP server)");
            }

            var riskNode = server.Child("risk");
            var risk = riskNode.AsString() switch
            {
                null or "high" => ToolRisk.High,
                "low" => ToolRisk.Low,
                var other => throw riskNode.Error($"unknown risk '{other}'; expected low or high"),
            };
            var workDir = server.Child("working_directory").AsString();
            servers.Add(new McpServerOptions
            {
                Name = name,
                Command = command,
                Arguments = server.Child("args").AsStringList(),
                Environment = server.Child("env").AsStringMap(),
                WorkingDirectory = workDir is null ? null : Path.GetFullPath(workDir, baseDirectory),
                Url = url,
                Headers = server.Child("headers").AsStringMap(),
                Risk = risk,
                IsIdempotent = server.Child("idempotent").AsBool() ?? false,
                Timeout = server.Child("timeout_seconds").AsSeconds(3600) ?? TimeSpan.FromSeconds(60),
                ConnectTimeout = server.Child("connect_timeout_seconds").AsSeconds(600) ?? TimeSpan.FromSeconds(30),
            });
        }

        return servers;
    }
}
