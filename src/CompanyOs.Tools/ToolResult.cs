namespace CompanyOs.Tools;

/// <summary>What a tool returns to the model. Errors are results too: the model sees them and can recover.</summary>
public sealed record ToolResult(string Content, bool IsError = false)
{
    public static ToolResult Success(string content) => new(content);

    public static ToolResult Error(string message) => new(message, IsError: true);
}
