namespace CompanyOs.Llm.Configuration.Sections;

/// <summary><c>agent_models:</c> — agent type → { primary: provider, model: model id or alias }.</summary>
internal sealed class AgentModelsSection : ILlmConfigSection
{
    private static readonly string[] Keys = ["primary", "model"];

    public string Key => "agent_models";

    public LlmOptions Read(ConfigNode node, LlmOptions options)
    {
        var agents = new Dictionary<string, AgentModelOptions>(StringComparer.Ordinal);
        foreach (var (agent, entry) in node.Entries())
        {
            if (entry.IsNull)
            {
                throw entry.Error("expected 'primary' and 'model', got nothing");
            }

            entry.ExpectOnlyKeys(Keys);
            var primaryNode = entry.Child("primary");
            var primary = primaryNode.AsRequiredString();
            ProviderReferences.RequireEnabled(primaryNode, primary, options);
            var model = entry.Child("model").AsString();
            if (model is not null && string.IsNullOrWhiteSpace(model))
            {
                throw entry.Child("model").Error("must not be empty");
            }

            agents.Add(agent, new AgentModelOptions(primary, model ?? options.Providers[primary].DefaultModel));
        }

        return options with { AgentModels = agents };
    }
}
