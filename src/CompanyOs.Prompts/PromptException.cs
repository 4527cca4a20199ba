using CompanyOs.Prompts.Diagnostics;

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

    /// <summary>The template name (<c>agent/name</c>), when known.</summary>
    public string? Template { get; }

    /// <summary>The template version, when known.</summary>
    public string? Version { get; }

    /// <summary>The variable concerned, when the problem is about one.</summary>
    public string? Variable { get; }

    /// <summary>The prompt file, when known.</summary>
    public string? File { get; init; }

    /// <summary>1-based line in <see cref="File"/>, when known.</summary>
    public int? Line { get; init; }

    /// <summary>Every problem found, for load failures that concern several files or places.</summary>
    public IReadOnlyList<PromptDiagnostic> Diagnostics { get; init; } = [];
}
