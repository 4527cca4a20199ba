using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// A tiny stdio MCP server for the tools tests: the real ModelContextProtocol server stack, two deterministic tools.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace); // stdout carries the protocol
builder.Services.AddMcpServer().WithStdioServerTransport().WithTools<CompanyOs.Tools.McpTestServer.TestServerTools>();
await builder.Build().RunAsync().ConfigureAwait(false);
