using CompanyOs.Tools.Registry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Client;

namespace CompanyOs.Tools.Mcp;

/// <summary>Connections to configured MCP servers and the tools imported from them. Disposing closes the connections (and stops stdio servers).</summary>
public sealed class McpToolSource : IAsyncDisposable
{
    private readonly List<McpClient> _clients;

    private McpToolSource(List<McpClient> clients, List<McpTool> tools)
    {
        _clients = clients;
        Tools = tools;
    }

    public IReadOnlyList<McpTool> Tools { get; }

    /// <summary>Connects to every server and lists its tools.</summary>
    /// <exception cref="McpImportException">A server could not be started, reached or listed; connections already made are closed.</exception>
    public static async Task<McpToolSource> ConnectAsync(IEnumerable<McpServerOptions> servers, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(servers);
        loggerFactory ??= NullLoggerFactory.Instance;
        var clients = new List<McpClient>();
        var tools = new List<McpTool>();
        try
        {
            foreach (var server in servers)
            {
                var (client, imported) = await ConnectOneAsync(server, loggerFactory, cancellationToken).ConfigureAwait(false);
                clients.Add(client);
                tools.AddRange(imported);
            }
        }
        catch
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        return new McpToolSource(clients, tools);
    }

    private static async Task<(McpClient, List<McpTool>)> ConnectOneAsync(McpServerOptions server, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(server.ConnectTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        McpClient? client = null;
        try
        {
            client = await McpClient.CreateAsync(CreateTransport(server, loggerFactory), clientOptions: null, loggerFactory, linked.Token).ConfigureAwait(false);
            var listed = await client.ListToolsAsync(options: null, linked.Token).ConfigureAwait(false);
            var tools = listed.Select(t => new McpTool(t, server, ToolNames.Sanitize($"{server.Name}__{t.Name}"))).ToList();
            return (client, tools);
        }
        catch (Exception ex) when (ex is McpException or IOException or HttpRequestException or InvalidOperationException
            || (ex is OperationCanceledException && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
        {
            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            var problem = ex is OperationCanceledException
                ? $"did not answer within {server.ConnectTimeout.TotalSeconds:0} s"
                : $"could not be started or listed ({ex.GetType().Name}: {ex.Message})";
            throw new McpImportException(server.Name, problem, ex);
        }
    }

    private static IClientTransport CreateTransport(McpServerOptions server, ILoggerFactory loggerFactory)
    {
        if (server.Url is { } url)
        {
            return new HttpClientTransport(
                new HttpClientTransportOptions
                {
                    Endpoint = url,
                    Name = server.Name,
                    TransportMode = HttpTransportMode.StreamableHttp,
                    AdditionalHeaders = server.Headers.ToDictionary(h => h.Key, h => h.Value),
                    ConnectionTimeout = server.ConnectTimeout,
                },
                loggerFactory);
        }

        return new StdioClientTransport(
            new StdioClientTransportOptions
            {
                Name = server.Name,
                Command = server.Command!,
                Arguments = [.. server.Arguments],
                WorkingDirectory = server.WorkingDirectory,
                EnvironmentVariables = server.Environment.ToDictionary(e => e.Key, e => (string?)e.Value),
            },
            loggerFactory);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }
}
