using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Routing;
using CompanyOs.Llm.Models;

namespace CompanyOs.Server.Models;

/// <summary>A model name a client may send, and the provider the gateway routes it to.</summary>
internal sealed record ServedModel(string Id, string Provider);

/// <summary>
/// The models the server answers for: every enabled provider's default and fallback models, the configured and built-in
/// aliases and priced models that route to an enabled provider — each as the gateway's own router resolves it.
/// </summary>
internal sealed class ModelDirectory
{
    private readonly ModelRouter _router;

    public ModelDirectory(LlmOptions options, ModelCatalog catalog, GatewayServices gateway)
    {
        // The gateway's own router: the same catalog and price table the pipeline routes with.
        _router = gateway.Router;
        var candidates = options.Providers.Values.Where(p => p.Enabled)
            .SelectMany(p => (IEnumerable<string>)[p.DefaultModel, .. p.FallbackModels.Values])
            .Concat(catalog.Aliases.Keys)
            .Concat(options.Prices.Keys);
        var models = new SortedDictionary<string, ServedModel>(StringComparer.Ordinal);
        foreach (var candidate in candidates)
        {
            foreach (var id in new[] { candidate, catalog.Resolve(candidate) })
            {
                if (!models.ContainsKey(id) && Find(id) is { } served)
                {
                    models.Add(id, served);
                }
            }
        }

        All = [.. models.Values];
    }

    public IReadOnlyList<ServedModel> All { get; }

    /// <summary>The provider <paramref name="id"/> routes to, or null when nothing serves it (also <c>provider/model</c>).</summary>
    public ServedModel? Find(string id)
    {
        try
        {
            return new ServedModel(id, _router.Resolve(id, null).Provider.Name);
        }
        catch (RoutingException)
        {
            return null;
        }
    }
}
