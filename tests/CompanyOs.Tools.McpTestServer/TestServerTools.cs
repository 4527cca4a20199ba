using System.ComponentModel;
using ModelContextProtocol.Server;

namespace CompanyOs.Tools.McpTestServer;

/// <summary>Tools served over MCP to the tests.</summary>
[McpServerToolType]
public sealed class TestServerTools
{
    [McpServerTool(Name = "reverse"), Description("Reverses the given text.")]
    public static string Reverse([Description("Text to reverse")] string text) => new([.. text.Reverse()]);

    [McpServerTool(Name = "add"), Description("Adds two integers.")]
    public static int Add([Description("First addend")] int a, [Description("Second addend")] int b) => a + b;

    [McpServerTool(Name = "fail"), Description("Always fails, to test error reporting.")]
    public static string Fail() => throw new InvalidOperationException("the fail tool failed as asked");

    [McpServerTool(Name = "append"), Description("Appends a line to a file (one line per execution), then waits hold milliseconds before answering.")]
    public static async Task<string> Append(
        [Description("File to append to")] string file,
        [Description("Line to append")] string line,
        [Description("Milliseconds to wait after appending")] int hold,
        CancellationToken cancellationToken)
    {
        await File.AppendAllTextAsync(file, line + "\n", cancellationToken).ConfigureAwait(false);
        await Task.Delay(hold, cancellationToken).ConfigureAwait(false);
        return "appended " + line;
    }

    [McpServerTool(Name = "env"), Description("Returns the value of an environment variable of the server process.")]
    public static string Env([Description("Variable name")] string name) => Environment.GetEnvironmentVariable(name) ?? "(unset)";
}
