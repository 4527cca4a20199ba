namespace CompanyOs.Tools.Mcp;

/// <summary>An MCP server could not be started, reached or listed; the message names the server and never its secrets.</summary>
public sealed class McpImportException : Exception
{
    public McpImportException(string server, string problem, Exception? innerException = null)
        : base($"MCP server '{server}': {problem}", innerException)
    {
        Server = server;
    }

    public string Server { get; }
}
