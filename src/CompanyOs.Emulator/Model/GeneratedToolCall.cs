namespace CompanyOs.Emulator.Model;

/// <summary>A tool call in a generated turn, with a provider-shaped id.</summary>
internal sealed record GeneratedToolCall(string Id, string Name, string ArgumentsJson);
