using CompanyOs.Prompts.Compilation;
using CompanyOs.Prompts.Diagnostics;

namespace CompanyOs.Prompts.Library;

/// <summary>A freshly built catalog, the load errors, the prompts kept at their last good version, and deleted files.</summary>
internal sealed record ReloadOutcome(
    PromptCatalog Catalog,
    IReadOnlyList<PromptDiagnostic> Errors,
    IReadOnlyList<CompiledPrompt> KeptLastGood,
    IReadOnlyList<string> RemovedFiles);
