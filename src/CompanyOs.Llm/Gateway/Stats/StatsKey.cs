namespace CompanyOs.Llm.Gateway.Stats;

internal readonly record struct StatsKey(string Provider, string Model, string? OrgId, string? AgentType);
