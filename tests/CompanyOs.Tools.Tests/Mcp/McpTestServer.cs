using CompanyOs.Tools.Mcp;

namespace CompanyOs.Tools.Tests.Mcp;

/// <summary>Where the tiny stdio MCP server (tests/CompanyOs.Tools.McpTestServer, built with this project) lives.</summary>
public static class McpTestServer
{
    public static string AssemblyPath { get; } = Path.Combine(AppContext.BaseDirectory, "CompanyOs.Tools.McpTestServer.dll");

    public static McpServerOptions Options(string name = "testsrv", ToolRisk risk = ToolRisk.Low, IReadOnlyDictionary<string, string>? env = null) => new()
    {
        Name = name,
        Command = "dotnet",
        Arguments = [AssemblyPath],
        Environment = env ?? new Dictionary<string, string>(),
        Risk = risk,
        IsIdempotent = true,
        Timeout = TimeSpan.FromSeconds(30),
        ConnectTimeout = TimeSpan.FromSeconds(60),
    };
}
