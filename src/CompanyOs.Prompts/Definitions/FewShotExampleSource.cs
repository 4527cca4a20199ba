namespace CompanyOs.Prompts.Definitions;

/// <summary>One few-shot example: the user's input and the assistant's output, both Liquid.</summary>
internal sealed record FewShotExampleSource(TemplateSource Input, TemplateSource Output);
