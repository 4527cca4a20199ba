namespace CompanyOs.Prompts;

/// <summary>A template that cannot be loaded or rendered. The message names the template, version, variable or line.</summary>
public sealed class PromptException : Exception
{
    public PromptException(string message, string? template = null, string? version = null, string? variable = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Template = template;
        Version = version;
        Variable = variable;
    }

    public string? Template { get; }

    public string? Version { get; }

    public string? Variable { get; }
}
