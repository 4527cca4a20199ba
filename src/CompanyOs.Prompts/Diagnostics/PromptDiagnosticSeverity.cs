namespace CompanyOs.Prompts.Diagnostics;

/// <summary>How serious a <see cref="PromptDiagnostic"/> is.</summary>
public enum PromptDiagnosticSeverity
{
    /// <summary>The template works, but something is probably wrong (e.g. a declared variable the template never uses).</summary>
    Warning,

    /// <summary>The template cannot be loaded or rendered.</summary>
    Error,
}
