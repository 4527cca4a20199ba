using CompanyOs.Tools.Configuration;
using CompanyOs.Tools.FileSystem;
using CompanyOs.Tools.Sandbox;
using CompanyOs.Tools.WebSearch;

namespace CompanyOs.Tools.Tests.Configuration;

public sealed class ToolSetTests
{
    [Fact]
    public async Task Nothing_configured_means_no_tools()
    {
        await using var tools = await ToolSet.CreateAsync(new ToolsOptions(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Empty(tools.Registry.Tools);
    }

    [Fact]
    public async Task Each_configured_tool_is_registered_with_its_risk()
    {
        var root = Directory.CreateTempSubdirectory("companyos-set-").FullName;
        try
        {
            var options = new ToolsOptions
            {
                FileSystem = new FileSystemToolOptions { Roots = [root] },
                WebSearch = new WebSearchOptions { Provider = SearchProvider.Searxng, BaseUrl = new Uri("http://127.0.0.1:9/") },
                Sandbox = new SandboxOptions { Enabled = true },
            };

            await using var tools = await ToolSet.CreateAsync(options, [new TestTool("custom")], cancellationToken: TestContext.Current.CancellationToken);

            Assert.Equal(["read_file", "list_dir", "web_search", "execute_code", "custom"], tools.Registry.Tools.Select(t => t.Name));
            Assert.Equal([ToolRisk.Low, ToolRisk.Low, ToolRisk.Low, ToolRisk.High], tools.Registry.Tools.Take(4).Select(t => t.Risk));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Web_search_without_a_provider_is_not_offered()
    {
        var options = new ToolsOptions { WebSearch = new WebSearchOptions { Provider = SearchProvider.None, BaseUrl = new Uri("http://127.0.0.1:9/") } };

        await using var tools = await ToolSet.CreateAsync(options, cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(tools.Registry.TryGet("web_search", out _));
    }
}
