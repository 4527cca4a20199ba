using CompanyOs.Tools.Configuration;
using CompanyOs.Tools.Mcp;
using CompanyOs.Tools.Registry;

namespace CompanyOs.Tools.Tests.Mcp;

/// <summary>Real MCP over stdio: the client package talks to the test server process through the registry.</summary>
public sealed class McpToolTests
{
    [Fact]
    public async Task Tools_are_imported_with_schemas_and_called_through_the_registry()
    {
        var options = new ToolsOptions { McpServers = [McpTestServer.Options(env: new Dictionary<string, string> { ["MCP_TEST_VALUE"] = "from-config" })] };
        await using var tools = await ToolSet.CreateAsync(options, cancellationToken: TestContext.Current.CancellationToken);
        var invoker = new ToolInvoker(tools.Registry);

        Assert.Equal(["testsrv__add", "testsrv__append", "testsrv__env", "testsrv__fail", "testsrv__reverse"], tools.Registry.Tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.True(tools.Registry.TryGet("testsrv__reverse", out var reverse));
        Assert.Equal("Reverses the given text.", reverse.Description);
        Assert.Equal("string", reverse.ParametersSchema.GetProperty("properties").GetProperty("text").GetProperty("type").GetString());
        Assert.Equal((ToolRisk.Low, true), (reverse.Risk, reverse.IsIdempotent));

        var reversed = await invoker.InvokeAsync("testsrv__reverse", Json.Parse("""{"text":"stressed"}"""), Json.Context, TestContext.Current.CancellationToken);
        var sum = await invoker.InvokeAsync("testsrv__add", Json.Parse("""{"a":40,"b":2}"""), Json.Context, TestContext.Current.CancellationToken);
        var env = await invoker.InvokeAsync("testsrv__env", Json.Parse("""{"name":"MCP_TEST_VALUE"}"""), Json.Context, TestContext.Current.CancellationToken);
        var invalid = await invoker.InvokeAsync("testsrv__add", Json.Parse("""{"a":"forty"}"""), Json.Context, TestContext.Current.CancellationToken);
        var failed = await invoker.InvokeAsync("testsrv__fail", Json.Parse("{}"), Json.Context, TestContext.Current.CancellationToken);

        Assert.Equal(new ToolResult("desserts"), reversed);
        Assert.Equal(new ToolResult("42"), sum);
        Assert.Equal(new ToolResult("from-config"), env);
        Assert.True(invalid.IsError);
        Assert.Contains("$.a: ", invalid.Content, StringComparison.Ordinal);
        Assert.Contains("$: ", invalid.Content, StringComparison.Ordinal); // b is required
        Assert.True(failed.IsError);
    }

    [Fact]
    public async Task A_server_that_cannot_start_fails_with_its_name()
    {
        var options = new ToolsOptions { McpServers = [McpTestServer.Options("broken") with { Command = "/nonexistent/mcp-server", Arguments = [] }] };

        var ex = await Assert.ThrowsAsync<McpImportException>(() => ToolSet.CreateAsync(options, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("broken", ex.Server);
        Assert.StartsWith("MCP server 'broken': ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_http_server_fails_with_its_name_and_no_secret_headers()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens on this loopback port now
        var server = new McpServerOptions
        {
            Name = "remote",
            Url = new Uri($"http://127.0.0.1:{port}/mcp"),
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer SECRET-MCP-TOKEN" },
            ConnectTimeout = TimeSpan.FromSeconds(20),
        };

        var ex = await Assert.ThrowsAsync<McpImportException>(() => ToolSet.CreateAsync(new ToolsOptions { McpServers = [server] }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("remote", ex.Server);
        Assert.DoesNotContain("SECRET-MCP-TOKEN", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mcp_tool_names_that_collide_with_other_tools_are_rejected()
    {
        var clash = new TestTool("testsrv__add");
        var options = new ToolsOptions { McpServers = [McpTestServer.Options()] };

        var ex = await Assert.ThrowsAsync<ToolRegistrationException>(() => ToolSet.CreateAsync(options, [clash], cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("testsrv__add", ex.ToolName);
    }
}
