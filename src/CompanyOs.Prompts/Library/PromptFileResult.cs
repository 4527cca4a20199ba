using CompanyOs.Prompts.Compilation;
using CompanyOs.Prompts.Diagnostics;

namespace CompanyOs.Prompts.Library;

/// <summary>The outcome of loading one file: the compiled prompt (null when it has errors) and every diagnostic.</summary>
internal sealed record PromptFileResult(string File, string? Content, CompiledPrompt? Prompt, IReadOnlyList<PromptDiagnostic> Diagnostics)
{
    public IEnumerable<PromptDiagnostic> Errors => Diagnostics.Where(d => d.Severity == PromptDiagnosticSeverity.Error);
}
