using CompanyOs.Prompts.Versioning;

namespace CompanyOs.Prompts.Definitions;

/// <summary>A prompt file parsed and shape-checked, not yet compiled.</summary>
internal sealed record PromptDefinition(
    string File,
    string Name,
    PromptVersion Version,
    string? Description,
    TemplateSource? System,
    TemplateSource? User,
    IReadOnlyList<FewShotExampleSource> FewShotExamples,
    IReadOnlyList<VariableDeclaration> Variables);
