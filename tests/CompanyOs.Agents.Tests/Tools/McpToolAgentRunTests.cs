using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Tools;
using CompanyOs.Tools.Mcp;
using Microsoft.Extensions.AI;

namespace CompanyOs.Agents.Tests.Tools;

/// <summary>An agent run that calls a tool imported from a real stdio MCP server (tests/CompanyOs.Tools.McpTestServer).</summary>
public sealed class McpToolAgentRunTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static McpServerOptions TestServer(ToolRisk risk) => new()
    {
        Name = "testsrv",
        Command = "dotnet",
        Arguments = [Path.Combine(AppContext.BaseDirectory, "CompanyOs.Tools.McpTestServer.dll")],
        Risk = risk,
        IsIdempotent = true,
        ConnectTimeout = TimeSpan.FromSeconds(60),
    };

    [Fact]
    public async Task Agent_run_calls_a_tool_imported_from_an_mcp_server()
    {
        var h = new RuntimeHarness();
        await using var mcp = await McpToolSource.ConnectAsync([TestServer(ToolRisk.Low)], cancellationToken: Ct);
        foreach (var tool in mcp.Tools)
        {
            h.Tools.Register(tool);
        }

        h.Define();
        h.Script.ThenCalls(("c1", "testsrv__reverse", new { text = "stressed" })).ThenText("Reversed, it reads desserts.");
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        var offered = Assert.Single(h.Script.Requests[0].Options!.Tools!, t => t.Name == "testsrv__reverse");
        Assert.Equal("Reverses the given text.", offered.Description);
        var toolResult = Assert.Single(h.Script.Requests[1].Messages[^1].Contents.OfType<FunctionResultContent>());
        Assert.Equal("c1", toolResult.CallId);
        Assert.Equal("desserts", toolResult.Result?.ToString());
        Assert.Contains("ToolCallCompleted", string.Join(",", await h.TypesAsync(result.RunId)), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Invalid_arguments_for_an_mcp_tool_reach_the_model_as_a_tool_error()
    {
        var h = new RuntimeHarness();
        await using var mcp = await McpToolSource.ConnectAsync([TestServer(ToolRisk.Low)], cancellationToken: Ct);
        foreach (var tool in mcp.Tools)
        {
            h.Tools.Register(tool);
        }

        h.Define();
        h.Script.ThenCalls(("c1", "testsrv__add", new { a = "forty" })).ThenText("I could not add.");
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        var toolResult = Assert.Single(h.Script.Requests[1].Messages[^1].Contents.OfType<FunctionResultContent>());
        Assert.Contains("$.a", toolResult.Result?.ToString(), StringComparison.Ordinal);
    }
}
