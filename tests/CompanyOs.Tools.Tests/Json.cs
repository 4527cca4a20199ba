using System.Text.Json;

namespace CompanyOs.Tools.Tests;

internal static class Json
{
    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static ToolInvocationContext Context { get; } = new("run-1", "org-1", "call-1");
}
