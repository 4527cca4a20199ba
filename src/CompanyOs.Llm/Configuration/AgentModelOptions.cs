namespace CompanyOs.Llm.Configuration;

/// <summary>One entry of <c>agent_models:</c>: which provider and model an agent type uses.</summary>
public sealed record AgentModelOptions(string Primary, string Model);
