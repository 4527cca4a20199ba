namespace CompanyOs.Tools.Registry;

/// <summary>A tool could not be registered: invalid or duplicate name, invalid schema, or an unusable timeout.</summary>
public sealed class ToolRegistrationException : Exception
{
    public ToolRegistrationException(string toolName, string problem, Exception? innerException = null)
        : base($"Tool '{toolName}': {problem}", innerException)
    {
        ToolName = toolName;
        Problem = problem;
    }

    public string ToolName { get; }

    public string Problem { get; }
}
