using CompanyOs.Llm.Configuration;
using CompanyOs.Tools.FileSystem;
using CompanyOs.Tools.Mcp;
using CompanyOs.Tools.Registry;
using CompanyOs.Tools.Sandbox;
using CompanyOs.Tools.WebSearch;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CompanyOs.Tools.Configuration;

/// <summary>
/// Loads <c>config/tools.yaml</c> into validated <see cref="ToolsOptions"/>: unknown keys, bad values, missing <c>${VAR}</c>s,
/// roots that do not exist and inconsistent MCP servers all fail here with the file, the key path and the reason.
/// Relative roots and MCP working directories resolve against the directory of the file.
/// </summary>
public sealed class ToolsConfigLoader
{
    private readonly Func<string, string?> _environment;

    public ToolsConfigLoader(Func<string, string?>? environment = null) => _environment = environment ?? Environment.GetEnvironmentVariable;

    /// <exception cref="ConfigurationException">The file is missing, unreadable or invalid.</exception>
    public async Task<ToolsOptions> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
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
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigurationException(file, string.Empty, $"malformed YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }

        var root = new YamlConfigNode(file, string.Empty, stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode, _environment);
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

    private static FileSystemToolOptions? ReadFileSystem(YamlConfigNode node, string baseDirectory)
    {
        node.ExpectOnlyKeys("roots", "max_read_bytes", "max_list_entries");
        var roots = node.Child("roots").StringList();
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
            MaxReadBytes = node.Child("max_read_bytes").Int(1, 64 * 1024 * 1024) ?? defaults.MaxReadBytes,
            MaxListEntries = node.Child("max_list_entries").Int(1, 100_000) ?? defaults.MaxListEntries,
        };
    }

    private static WebSearchOptions? ReadWebSearch(YamlConfigNode node)
    {
        node.ExpectOnlyKeys("provider", "base_url", "api_key", "request_timeout_seconds", "max_results");
        var providerNode = node.Child("provider");
        var provider = providerNode.String() switch
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

        var baseUrl = node.Child("base_url").HttpUrl()
            ?? (provider == SearchProvider.Brave ? new Uri("https://api.search.brave.com/") : throw node.Child("base_url").Error("required for provider searxng (the instance URL)"));
        var apiKey = node.Child("api_key").String();
        if (provider == SearchProvider.Brave && string.IsNullOrEmpty(apiKey))
        {
            throw node.Child("api_key").Error("required for provider brave (use ${BRAVE_API_KEY})");
        }

        return new WebSearchOptions
        {
            Provider = provider,
            BaseUrl = baseUrl,
            ApiKey = apiKey,
            RequestTimeout = node.Child("request_timeout_seconds").Seconds(300) ?? TimeSpan.FromSeconds(10),
            MaxResults = node.Child("max_results").Int(1, BraveSearchClient.MaxCount) ?? 10,
        };
    }

    private static SandboxOptions ReadSandbox(YamlConfigNode node)
    {
        node.ExpectOnlyKeys("enabled", "bwrap_path", "cpu_seconds", "memory_mb", "max_processes", "max_file_mb", "work_dir_mb", "wall_timeout_seconds", "max_output_kb");
        var d = new SandboxOptions();
        return new SandboxOptions
        {
            Enabled = node.Child("enabled").Bool() ?? false,
            BwrapPath = node.Child("bwrap_path").String() ?? d.BwrapPath,
            CpuSeconds = node.Child("cpu_seconds").Int(1, 3600) ?? d.CpuSeconds,
            MemoryBytes = (node.Child("memory_mb").Int(64, 65536) ?? (int)(d.MemoryBytes >> 20)) * 1024L * 1024,
            MaxProcesses = node.Child("max_processes").Int(4, 4096) ?? d.MaxProcesses,
            MaxFileBytes = (node.Child("max_file_mb").Int(1, 4096) ?? (int)(d.MaxFileBytes >> 20)) * 1024L * 1024,
            WorkDirBytes = (node.Child("work_dir_mb").Int(1, 4096) ?? (int)(d.WorkDirBytes >> 20)) * 1024L * 1024,
            WallTimeout = node.Child("wall_timeout_seconds").Seconds(3000) ?? d.WallTimeout,
            MaxOutputBytes = (node.Child("max_output_kb").Int(1, 16 * 1024) ?? d.MaxOutputBytes / 1024) * 1024,
        };
    }

    private static List<McpServerOptions> ReadMcpServers(YamlConfigNode node, string baseDirectory)
    {
        var servers = new List<McpServerOptions>();
        if (node.IsMissing)
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

            var command = server.Child("command").String();
            var url = server.Child("url").HttpUrl();
            if ((command is null) == (url is null))
            {
                throw server.Error("set exactly one of 'command' (stdio server) or 'url' (streamable HTTP server)");
            }

            var riskNode = server.Child("risk");
            var risk = riskNode.String() switch
            {
                null or "high" => ToolRisk.High,
                "low" => ToolRisk.Low,
                var other => throw riskNode.Error($"unknown risk '{other}'; expected low or high"),
            };
            var workDir = server.Child("working_directory").String();
            servers.Add(new McpServerOptions
            {
                Name = name,
                Command = command,
                Arguments = server.Child("args").StringList(),
                Environment = server.Child("env").StringMap(),
                WorkingDirectory = workDir is null ? null : Path.GetFullPath(workDir, baseDirectory),
                Url = url,
                Headers = server.Child("headers").StringMap(),
                Risk = risk,
                IsIdempotent = server.Child("idempotent").Bool() ?? false,
                Timeout = server.Child("timeout_seconds").Seconds(3600) ?? TimeSpan.FromSeconds(60),
                ConnectTimeout = server.Child("connect_timeout_seconds").Seconds(600) ?? TimeSpan.FromSeconds(30),
            });
        }

        return servers;
    }
}
