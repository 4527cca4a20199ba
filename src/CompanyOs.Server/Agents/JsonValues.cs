using System.Text.Json;

namespace CompanyOs.Server.Agents;

/// <summary>JSON values as the plain .NET values prompt templates render (strings, numbers, booleans, lists, dictionaries).</summary>
internal static class JsonValues
{
    public static object? ToObject(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out var n) ? n : value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => value.EnumerateArray().Select(ToObject).ToList(),
        JsonValueKind.Object => value.EnumerateObject().ToDictionary(p => p.Name, p => ToObject(p.Value), StringComparer.Ordinal),
        _ => null,
    };
}
