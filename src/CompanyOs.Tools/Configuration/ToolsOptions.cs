using CompanyOs.Tools.FileSystem;
using CompanyOs.Tools.Mcp;
using CompanyOs.Tools.Sandbox;
using CompanyOs.Tools.WebSearch;

namespace CompanyOs.Tools.Configuration;

/// <summary>Everything that decides which tools exist and how they behave; loaded from <c>config/tools.yaml</c>.</summary>
public sealed record ToolsOptions
{
    /// <summary>The file these options came from, for messages.</summary>
    public string? SourceFile { get; init; }

    /// <summary><c>read_file</c>/<c>list_dir</c> settings; null when no roots are configured (the tools are not offered).</summary>
    public FileSystemToolOptions? FileSystem { get; init; }

    /// <summary><c>web_search</c> settings; null or provider none when not offered.</summary>
    public WebSearchOptions? WebSearch { get; init; }

    /// <summary><c>execute_code</c> settings; offered only when <see cref="SandboxOptions.Enabled"/>.</summary>
    public SandboxOptions Sandbox { get; init; } = new();

    /// <summary>MCP servers whose tools are imported, by name.</summary>
    public IReadOnlyList<McpServerOptions> McpServers { get; init; } = [];
}
