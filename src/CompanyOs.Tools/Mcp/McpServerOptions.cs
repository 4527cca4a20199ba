namespace CompanyOs.Tools.Mcp;

/// <summary>One MCP server whose tools are imported: either a stdio command or a streamable HTTP URL.</summary>
public sealed record McpServerOptions
{
    /// <summary>Server name; imported tools are named <c>{Name}__{tool}</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Executable for a stdio server (mutually exclusive with <see cref="Url"/>).</summary>
    public string? Command { get; init; }

    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Extra environment for the stdio server process. Values may be secrets: never logged.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public string? WorkingDirectory { get; init; }

    /// <summary>Endpoint of a streamable HTTP server (mutually exclusive with <see cref="Command"/>).</summary>
    public Uri? Url { get; init; }

    /// <summary>Extra HTTP headers (e.g. Authorization). Values may be secrets: never logged.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Risk of every tool from this server; high unless configured otherwise.</summary>
    public ToolRisk Risk { get; init; } = ToolRisk.High;

    public bool IsIdempotent { get; init; }

    /// <summary>Bound on one tool call.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Bound on connecting and listing tools.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public override string ToString() =>
        $"McpServerOptions {{ Name = {Name}, Command = {Command}, Url = {Url}, Risk = {Risk}, Env = [{string.Join(", ", Environment.Keys)}], Headers = [{string.Join(", ", Headers.Keys)}] }}";
}
