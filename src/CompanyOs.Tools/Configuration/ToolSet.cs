using CompanyOs.Tools.FileSystem;
using CompanyOs.Tools.Mcp;
using CompanyOs.Tools.Registry;
using CompanyOs.Tools.Sandbox;
using CompanyOs.Tools.WebSearch;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CompanyOs.Tools.Configuration;

/// <summary>
/// The registry built from <see cref="ToolsOptions"/>, plus what its tools own (search client, sandbox, MCP connections).
/// A tool whose configuration is absent is simply not registered: no fake search results, no unsandboxed code.
/// </summary>
public sealed class ToolSet : IAsyncDisposable
{
    private readonly IDisposable? _search;
    private readonly BubblewrapSandbox? _sandbox;
    private readonly McpToolSource? _mcp;

    private ToolSet(ToolRegistry registry, IDisposable? search, BubblewrapSandbox? sandbox, McpToolSource? mcp)
    {
        Registry = registry;
        _search = search;
        _sandbox = sandbox;
        _mcp = mcp;
    }

    public ToolRegistry Registry { get; }

    /// <summary>Builds the tools; MCP servers are started and their tools listed now, so a broken server fails start-up.</summary>
    /// <param name="options">Validated options (see <see cref="ToolsConfigLoader"/>).</param>
    /// <param name="extraTools">Application tools to register as well (after the built-ins).</param>
    /// <param name="timeProvider">Clock for timeouts.</param>
    /// <param name="loggerFactory">Logging.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <exception cref="ToolRegistrationException">Two tools share a name (e.g. an MCP tool and a built-in).</exception>
    /// <exception cref="McpImportException">An MCP server could not be started or listed.</exception>
    public static async Task<ToolSet> CreateAsync(
        ToolsOptions options,
        IEnumerable<ITool>? extraTools = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        var registry = new ToolRegistry();
        IDisposable? search = null;
        BubblewrapSandbox? sandbox = null;
        McpToolSource? mcp = null;
        try
        {
            if (options.FileSystem is { } fs)
            {
                var resolver = new ConfinedPathResolver(fs.Roots);
                registry.Register(new ReadFileTool(resolver, fs));
                registry.Register(new ListDirTool(resolver, fs));
            }

            if (options.WebSearch is { Provider: not SearchProvider.None, BaseUrl: { } baseUrl } webSearch)
            {
                IWebSearchClient client = webSearch.Provider == SearchProvider.Brave
                    ? new BraveSearchClient(baseUrl, webSearch.ApiKey!, webSearch.RequestTimeout, timeProvider)
                    : new SearxngSearchClient(baseUrl, webSearch.RequestTimeout, timeProvider);
                search = (IDisposable)client;
                registry.Register(new WebSearchTool(client, webSearch.MaxResults, webSearch.RequestTimeout + TimeSpan.FromSeconds(5)));
            }

            if (options.Sandbox.Enabled)
            {
                sandbox = new BubblewrapSandbox(options.Sandbox, timeProvider, loggerFactory.CreateLogger<BubblewrapSandbox>());
                registry.Register(new ExecuteCodeTool(sandbox));
            }

            foreach (var tool in extraTools ?? [])
            {
                registry.Register(tool);
            }

            if (options.McpServers.Count > 0)
            {
                mcp = await McpToolSource.ConnectAsync(options.McpServers, loggerFactory, cancellationToken).ConfigureAwait(false);
                foreach (var tool in mcp.Tools)
                {
                    registry.Register(tool);
                }
            }

            return new ToolSet(registry, search, sandbox, mcp);
        }
        catch
        {
            search?.Dispose();
            sandbox?.Dispose();
            if (mcp is not null)
            {
                await mcp.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_mcp is not null)
        {
            await _mcp.DisposeAsync().ConfigureAwait(false);
        }

        _sandbox?.Dispose();
        _search?.Dispose();
    }
}
