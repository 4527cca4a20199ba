namespace CompanyOs.Prompts;

/// <summary>A template as listed: name, every available version (ascending), description and declared variables.</summary>
public sealed record PromptInfo(string Name, IReadOnlyList<string> Versions, string? Description, IReadOnlyList<PromptVariable> Variables);
