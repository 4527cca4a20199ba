using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Costs;

namespace CompanyOs.Llm.Gateway.Routing;

/// <summary>
/// Resolves the configured <c>model_aliases</c> (one level, exact match) and knows a model's protocol from the price table.
/// Provider-native aliases such as <c>gpt-4o</c> are passed upstream unchanged: the provider resolves them itself.
/// </summary>
public sealed class PriceTableModelResolver : IModelResolver
{
    private readonly PriceTable _prices;
    private readonly IReadOnlyDictionary<string, string> _aliases;

    public PriceTableModelResolver(PriceTable prices, IReadOnlyDictionary<string, string>? aliases = null)
    {
        _prices = prices ?? throw new ArgumentNullException(nameof(prices));
        _aliases = aliases ?? new Dictionary<string, string>();
    }

    public string ResolveAlias(string name) => _aliases.TryGetValue(name, out var target) ? target : name;

    public ProviderKind? GetProviderKind(string model) => _prices.GetProviderKind(model);
}
