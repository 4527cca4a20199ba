using CompanyOs.Configuration;
using CompanyOs.Tools.Configuration;
using CompanyOs.Tools.WebSearch;

namespace CompanyOs.Tools.Tests.Configuration;

public sealed class ToolsConfigLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("companyos-cfg-").FullName;

    public ToolsConfigLoaderTests() => Directory.CreateDirectory(Path.Combine(_dir, "workspace"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ToolsOptions Parse(string yaml, Dictionary<string, string>? env = null) =>
        new ToolsConfigLoader(name => env?.GetValueOrDefault(name)).Parse(yaml, "config/tools.yaml", _dir);

    private ConfigurationException Fails(string yaml, Dictionary<string, string>? env = null) =>
        Assert.Throws<ConfigurationException>(() => Parse(yaml, env));

    [Fact]
    public void Full_configuration_is_read()
    {
        var options = Parse("""
            file_system:
              roots: [workspace]
              max_read_bytes: 1000
            web_search:
              provider: brave
              api_key: ${BRAVE_KEY}
              max_results: 5
            execute_code:
              enabled: true
              cpu_seconds: 3
              memory_mb: 512
              wall_timeout_seconds: 7
            mcp_servers:
              files:
                command: node
                args: [server.js, --verbose]
                env: { TOKEN: "${MCP_TOKEN}" }
                risk: low
                idempotent: true
              remote:
                url: http://127.0.0.1:9/mcp
                timeout_seconds: 5
            """, new() { ["BRAVE_KEY"] = "bk-123", ["MCP_TOKEN"] = "t-456" });

        Assert.Equal([Path.Combine(_dir, "workspace")], options.FileSystem!.Roots);
        Assert.Equal(1000, options.FileSystem.MaxReadBytes);
        Assert.Equal(SearchProvider.Brave, options.WebSearch!.Provider);
        Assert.Equal(new Uri("https://api.search.brave.com/"), options.WebSearch.BaseUrl);
        Assert.Equal("bk-123", options.WebSearch.ApiKey);
        Assert.True(options.Sandbox.Enabled);
        Assert.Equal((3, 512L * 1024 * 1024, TimeSpan.FromSeconds(7)), (options.Sandbox.CpuSeconds, options.Sandbox.MemoryBytes, options.Sandbox.WallTimeout));
        Assert.Equal(["files", "remote"], options.McpServers.Select(s => s.Name));
        Assert.Equal((ToolRisk.Low, true, "t-456"), (options.McpServers[0].Risk, options.McpServers[0].IsIdempotent, options.McpServers[0].Environment["TOKEN"]));
        Assert.Equal(["server.js", "--verbose"], options.McpServers[0].Arguments);
        Assert.Equal(ToolRisk.High, options.McpServers[1].Risk);
        Assert.Equal(TimeSpan.FromSeconds(5), options.McpServers[1].Timeout);
        Assert.DoesNotContain("t-456", options.McpServers[0].ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("bk-123", options.WebSearch.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Api_key_default_is_used_not_sent_as_placeholder_text()
    {
        var options = Parse("web_search:\n  provider: brave\n  api_key: ${BRAVE_API_KEY:-bk-default}\n");

        Assert.Equal("bk-default", options.WebSearch!.ApiKey);
    }

    [Fact]
    public void Api_key_from_a_set_variable_wins_over_its_default()
    {
        var options = Parse("web_search:\n  provider: brave\n  api_key: ${BRAVE_API_KEY:-bk-default}\n", new() { ["BRAVE_API_KEY"] = "bk-env" });

        Assert.Equal("bk-env", options.WebSearch!.ApiKey);
    }

    [Fact]
    public void Empty_file_offers_nothing()
    {
        var options = Parse("");

        Assert.Null(options.FileSystem);
        Assert.Null(options.WebSearch);
        Assert.False(options.Sandbox.Enabled);
        Assert.Empty(options.McpServers);
    }

    [Theory]
    [InlineData("files: {}", "files", "unknown key 'files'")]
    [InlineData("file_system:\n  roots: [missing-dir]", "file_system.roots", "is not an existing directory")]
    [InlineData("file_system:\n  roots: [/]", "file_system.roots", "whole machine")]
    [InlineData("file_system:\n  roots: workspace", "file_system.roots", "expected a list")]
    [InlineData("file_system:\n  roots: [workspace]\n  max_read_bytes: lots", "file_system.max_read_bytes", "expected an integer, got 'lots'")]
    [InlineData("web_search:\n  provider: google", "web_search.provider", "unknown provider 'google'")]
    [InlineData("web_search:\n  provider: searxng", "web_search.base_url", "required for provider searxng")]
    [InlineData("web_search:\n  provider: searxng\n  base_url: ftp://x", "web_search.base_url", "http(s) URL")]
    [InlineData("web_search:\n  provider: brave", "web_search.api_key", "required for provider brave")]
    [InlineData("web_search:\n  provider: brave\n  api_key: ${NOT_SET}", "web_search.api_key", "environment variable 'NOT_SET' is not set")]
    [InlineData("execute_code:\n  enabled: maybe", "execute_code.enabled", "true or false")]
    [InlineData("execute_code:\n  cpu_seconds: 0", "execute_code.cpu_seconds", "must be between 1 and 3600, got 0")]
    [InlineData("execute_code:\n  wall_timeout: 5", "execute_code.wall_timeout", "unknown key 'wall_timeout'")]
    [InlineData("mcp_servers:\n  x:\n    args: [a]", "mcp_servers.x", "exactly one of 'command'")]
    [InlineData("mcp_servers:\n  x:\n    command: a\n    url: http://127.0.0.1/", "mcp_servers.x", "exactly one of 'command'")]
    [InlineData("mcp_servers:\n  x:\n    command: a\n    risk: medium", "mcp_servers.x.risk", "unknown risk 'medium'")]
    [InlineData("mcp_servers:\n  bad.name:\n    command: a", "mcp_servers[\"bad.name\"]", "server name")]
    [InlineData("mcp_servers:\n  x:\n    command: a\n    envs: {}", "mcp_servers.x.envs", "unknown key 'envs'")]
    [InlineData("web_search: [1, 2", "", "malformed YAML")]
    public void Invalid_configuration_names_file_key_and_problem(string yaml, string key, string problem)
    {
        var ex = Fails(yaml);

        Assert.Equal("config/tools.yaml", ex.File);
        Assert.Equal(key, ex.KeyPath);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shipped_config_file_is_valid()
    {
        var repo = Sandbox.SandboxTests.FindRepositoryRoot();

        var options = new ToolsConfigLoader(_ => null).Parse(File.ReadAllText(Path.Combine(repo, "config", "tools.yaml")), "config/tools.yaml", Path.Combine(repo, "config"));

        Assert.NotNull(options.FileSystem);
    }
}
