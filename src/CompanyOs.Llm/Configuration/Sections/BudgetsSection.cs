using CompanyOs.Llm.Gateway.Budgets;

namespace CompanyOs.Llm.Configuration.Sections;

/// <summary><c>budgets:</c> — spend limits per org, per agent type (within an org) and per run, in USD and/or tokens.</summary>
internal sealed class BudgetsSection : ILlmConfigSection
{
    private static readonly string[] Keys = ["orgs", "default_org", "agents", "default_agent", "per_run", "default_max_output_tokens"];
    private static readonly string[] LimitKeys = ["usd", "tokens"];

    public string Key => "budgets";

    public LlmOptions Read(ConfigNode node, LlmOptions options)
    {
        if (node.IsNull)
        {
            return options;
        }

        node.ExpectOnlyKeys(Keys);
        var d = new BudgetOptions();
        return options with
        {
            Budgets = new BudgetOptions
            {
                Orgs = ReadMap(node.Child("orgs")),
                DefaultOrg = ReadLimit(node.Child("default_org")),
                Agents = ReadMap(node.Child("agents")),
                DefaultAgent = ReadLimit(node.Child("default_agent")),
                PerRun = ReadLimit(node.Child("per_run")),
                DefaultMaxOutputTokens = node.Child("default_max_output_tokens").AsInt(1, 10_000_000) ?? d.DefaultMaxOutputTokens,
            },
        };
    }

    private static Dictionary<string, BudgetLimit> ReadMap(ConfigNode node)
    {
        var map = new Dictionary<string, BudgetLimit>(StringComparer.Ordinal);
        foreach (var (name, entry) in node.Entries())
        {
            map.Add(name, ReadLimit(entry) ?? throw entry.Error("expected usd and/or tokens, got nothing"));
        }

        return map;
    }

    private static BudgetLimit? ReadLimit(ConfigNode node)
    {
        if (node.IsNull)
        {
            return null;
        }

        node.ExpectOnlyKeys(LimitKeys);
        var usd = node.Child("usd").AsDecimal(0m, 1_000_000_000m);
        var tokensNode = node.Child("tokens");
        var tokens = tokensNode.AsDecimal(0m, long.MaxValue);
        if (tokens is { } t && decimal.Truncate(t) != t)
        {
            throw tokensNode.Error("must be a whole number of tokens");
        }

        return usd is null && tokens is null ? throw node.Error("expected usd and/or tokens") : new BudgetLimit(usd, (long?)tokens);
    }
}
