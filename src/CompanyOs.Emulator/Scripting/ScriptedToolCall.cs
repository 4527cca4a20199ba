namespace CompanyOs.Emulator.Scripting;

/// <summary>A tool call the scripted model will emit.</summary>
/// <param name="Name">Tool name.</param>
/// <param name="ArgumentsJson">Arguments as a JSON object text, e.g. <c>{"query":"x"}</c>.</param>
public sealed record ScriptedToolCall(string Name, string ArgumentsJson);
