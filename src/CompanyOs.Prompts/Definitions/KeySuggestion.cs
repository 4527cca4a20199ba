namespace CompanyOs.Prompts.Definitions;

/// <summary>
/// Builds the prompt linter's "unknown key" messages; the did-you-mean match is the configuration reader's
/// (<see cref="CompanyOs.Configuration.KeySuggestion"/>), so templates and config files suggest the same way.
/// </summary>
internal static class KeySuggestion
{
    public static string UnknownKey(string key, string where, IReadOnlyCollection<string> known)
    {
        var hint = CompanyOs.Configuration.KeySuggestion.Closest(key, known) is { } best ? $" (did you mean '{best}'?)" : string.Empty;
        return $"unknown key '{key}' in {where}{hint}; allowed keys: {string.Join(", ", known)}";
    }
}
