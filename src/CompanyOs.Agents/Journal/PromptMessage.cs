namespace CompanyOs.Agents.Journal;

/// <summary>A few-shot example message of the persona prompt: <c>user</c> or <c>assistant</c> and its text.</summary>
public sealed record PromptMessage(string Role, string Text);
