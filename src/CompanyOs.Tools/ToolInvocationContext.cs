namespace CompanyOs.Tools;

/// <summary>Who is calling a tool: the run, its organisation and the model's call id.</summary>
public sealed record ToolInvocationContext(string RunId, string? OrgId, string CallId);
