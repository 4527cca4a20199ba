namespace CompanyOs.Prompts.Definitions;

/// <summary>A declared variable plus the file line that declares it.</summary>
internal sealed record VariableDeclaration(PromptVariable Variable, VariableType Type, int Line);
