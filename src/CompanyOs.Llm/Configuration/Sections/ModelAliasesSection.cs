namespace CompanyOs.Llm.Configuration.Sections;

/// <summary><c>model_aliases:</c> — alias → model id, added to (and overriding) the built-in aliases.</summary>
internal sealed class ModelAliasesSection : ILlmConfigSection
{
    public string Key => "model_aliases";

    public LlmOptions Read(ConfigNode node, LlmOptions options)
    {
        var aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var nodes = new Dictionary<string, ConfigNode>(StringComparer.OrdinalIgnoreCase);
        foreach (var (alias, target) in node.Entries())
        {
            var id = target.AsRequiredString().Trim();
            if (string.Equals(alias, id, StringComparison.OrdinalIgnoreCase))
            {
                throw target.Error("an alias cannot point to itself");
            }

            if (!aliases.TryAdd(alias, id))
            {
                throw target.Error($"alias '{alias}' is defined twice (aliases are case-insensitive)");
            }

            nodes[alias] = target;
        }

        foreach (var alias in aliases.Keys)
        {
            var seen = new List<string> { alias };
            var current = alias;
            while (aliases.TryGetValue(current, out var next))
            {
                if (seen.Contains(next, StringComparer.OrdinalIgnoreCase))
                {
                    seen.Add(next);
                    throw nodes[alias].Error($"alias cycle: {string.Join(" -> ", seen)}");
                }

                seen.Add(next);
                current = next;
            }
        }

        return options with { ModelAliases = aliases };
    }
}
