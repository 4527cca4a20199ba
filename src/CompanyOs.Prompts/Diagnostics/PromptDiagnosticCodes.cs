namespace CompanyOs.Prompts.Diagnostics;

/// <summary>The stable codes carried by <see cref="PromptDiagnostic.Code"/>.</summary>
public static class PromptDiagnosticCodes
{
    /// <summary>The file cannot be read or is not valid YAML.</summary>
    public const string InvalidYaml = "PR0001";

    /// <summary>The document or a field has the wrong shape (e.g. a list where text is expected).</summary>
    public const string InvalidShape = "PR0002";

    /// <summary>A key that the template format does not define (usually a typo).</summary>
    public const string UnknownKey = "PR0003";

    /// <summary>A required field such as <c>version</c> or <c>system</c>/<c>user</c> is missing or empty.</summary>
    public const string MissingField = "PR0004";

    /// <summary>The version is not a valid version, or disagrees with the one in the file name.</summary>
    public const string InvalidVersion = "PR0005";

    /// <summary>Two files declare the same template and version.</summary>
    public const string DuplicateVersion = "PR0006";

    /// <summary>A variable declaration is invalid (bad name, unknown type, duplicate, default of the wrong type…).</summary>
    public const string InvalidVariable = "PR0007";

    /// <summary>Liquid syntax error.</summary>
    public const string TemplateSyntax = "PR0008";

    /// <summary>The template uses a variable that is not declared.</summary>
    public const string UndeclaredVariable = "PR0009";

    /// <summary>A declared variable is never used by the template.</summary>
    public const string UnusedVariable = "PR0010";

    /// <summary>The file is not where a template can live (e.g. not inside an agent folder) or its name is invalid.</summary>
    public const string InvalidLocation = "PR0011";

    /// <summary>The template uses a filter that does not exist.</summary>
    public const string UnknownFilter = "PR0012";
}
