using System.Text;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace CompanyOs.Tools.Mcp;

/// <summary>A tool of an MCP server, offered under <c>{server}__{tool}</c> with the server's input schema and the configured risk.</summary>
public sealed class McpTool : ITool
{
    private readonly McpClientTool _tool;

    public McpTool(McpClientTool tool, McpServerOptions server, string name)
    {
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(server);
        _tool = tool;
        Name = name;
        ServerName = server.Name;
        Risk = server.Risk;
        IsIdempotent = server.IsIdempotent;
        Timeout = server.Timeout;
        var description = tool.Description;
        Description = string.IsNullOrWhiteSpace(description) ? $"Tool '{tool.Name}' of MCP server '{server.Name}'." : description;
    }

    public string Name { get; }

    /// <summary>The MCP server this tool belongs to.</summary>
    public string ServerName { get; }

    /// <summary>The tool's name on its server.</summary>
    public string RemoteName => _tool.Name;

    public string Description { get; }

    public JsonElement ParametersSchema => _tool.JsonSchema;

    public ToolRisk Risk { get; }

    public bool IsIdempotent { get; }

    public TimeSpan Timeout { get; }

    public async Task<ToolResult> InvokeAsync(JsonElement arguments, ToolInvocationContext context, CancellationToken cancellationToken = default)
    {
        var args = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (arguments.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in arguments.EnumerateObject())
            {
                args[property.Name] = property.Value.Clone();
            }
        }

        CallToolResult result;
        try
        {
            result = await _tool.CallAsync(args, progress: null, options: null, cancellationToken).ConfigureAwait(false);
        }
        catch (McpException ex)
        {
            return ToolResult.Error($"MCP server '{ServerName}' failed to run '{RemoteName}': {ex.Message}");
        }

        var text = Render(result);
        return result.IsError == true ? ToolResult.Error(text) : ToolResult.Success(text);
    }

    private static string Render(CallToolResult result)
    {
        var text = new StringBuilder();
        foreach (var block in result.Content)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(block switch
            {
                TextContentBlock t => t.Text,
                ImageContentBlock i => $"[image: {i.MimeType}]",
                AudioContentBlock a => $"[audio: {a.MimeType}]",
                EmbeddedResourceBlock r => $"[resource: {r.Resource.Uri}]",
                ResourceLinkBlock l => $"[resource link: {l.Uri}]",
                _ => $"[{block.Type} content]",
            });
        }

        if (text.Length == 0 && result.StructuredContent is { } structured)
        {
            text.Append(structured.GetRawText());
        }

        return text.ToString();
    }
}
