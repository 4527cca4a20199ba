namespace CompanyOs.Prompts.Definitions;

/// <summary>Builds "unknown key" messages with a did-you-mean hint for near misses (edit distance ≤ 2).</summary>
internal static class KeySuggestion
{
    public static string UnknownKey(string key, string where, IReadOnlyCollection<string> known)
    {
        var best = known.Select(k => (Key: k, Distance: Distance(key.ToLowerInvariant(), k))).MinBy(x => x.Distance);
        var hint = best.Key is not null && best.Distance <= 2 ? $" (did you mean '{best.Key}'?)" : string.Empty;
        return $"unknown key '{key}' in {where}{hint}; allowed keys: {string.Join(", ", known)}";
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
