namespace CompanyOs.Llm.Models;

/// <summary>
/// Aliases every installation knows: friendly and "-latest" names → the dated model id the provider bills under.
/// OpenAI ids such as <c>gpt-4o</c> are kept as they are (they are the ids OpenAI prices and reports).
/// </summary>
internal static class BuiltInModelAliases
{
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["claude-3-haiku"] = "claude-3-haiku-20240307",
        ["claude-3-sonnet"] = "claude-3-sonnet-20240229",
        ["claude-3-opus"] = "claude-3-opus-20240229",
        ["claude-3-opus-latest"] = "claude-3-opus-20240229",
        ["claude-3.5-sonnet"] = "claude-3-5-sonnet-20241022",
        ["claude-3-5-sonnet"] = "claude-3-5-sonnet-20241022",
        ["claude-3-5-sonnet-latest"] = "claude-3-5-sonnet-20241022",
        ["claude-3.5-haiku"] = "claude-3-5-haiku-20241022",
        ["claude-3-5-haiku"] = "claude-3-5-haiku-20241022",
        ["claude-3-5-haiku-latest"] = "claude-3-5-haiku-20241022",
        ["claude-3.7-sonnet"] = "claude-3-7-sonnet-20250219",
        ["claude-3-7-sonnet"] = "claude-3-7-sonnet-20250219",
        ["claude-3-7-sonnet-latest"] = "claude-3-7-sonnet-20250219",
        ["claude-sonnet-4"] = "claude-sonnet-4-20250514",
        ["claude-sonnet-4-0"] = "claude-sonnet-4-20250514",
        ["claude-4-sonnet"] = "claude-sonnet-4-20250514",
        ["claude-opus-4"] = "claude-opus-4-20250514",
        ["claude-opus-4-0"] = "claude-opus-4-20250514",
        ["claude-4-opus"] = "claude-opus-4-20250514",
        ["claude-opus-4-1"] = "claude-opus-4-1-20250805",
        ["claude-sonnet-4-5"] = "claude-sonnet-4-5-20250929",
        ["claude-haiku-4-5"] = "claude-haiku-4-5-20251001",
        ["claude-opus-4-5"] = "claude-opus-4-5-20251101",
    };
}
