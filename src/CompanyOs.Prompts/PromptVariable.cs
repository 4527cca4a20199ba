namespace CompanyOs.Prompts;

/// <summary>A declared template variable.</summary>
public sealed record PromptVariable(string Name, string? Description, bool Required, object? Default, string Type);
