namespace CompanyOs.Prompts;

/// <summary>Versioned prompt templates loaded from <c>prompts/&lt;agent&gt;/&lt;name&gt;.yaml</c>.</summary>
public interface IPromptLibrary
{
    /// <summary>
    /// Renders template <paramref name="name"/> (<c>agent/name</c>) at <paramref name="version"/> (null = latest) with
    /// <paramref name="variables"/>. Strict: a missing required variable, an unknown variable or a template error throws
    /// <see cref="PromptException"/> naming the template, version and variable.
    /// </summary>
    RenderedPrompt Render(string name, IReadOnlyDictionary<string, object?> variables, string? version = null);

    /// <summary>All templates and their versions.</summary>
    IReadOnlyList<PromptInfo> List();
}
