using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Costs;
using CompanyOs.Llm.Gateway.Routing;
using CompanyOs.Llm.Models;

namespace CompanyOs.Cli.Commands;

/// <summary>Which provider and model <c>chat</c> calls, decided with the gateway's own router before anything is sent.</summary>
internal static class ChatRouting
{
    /// <summary>
    /// <c>-m</c> alone goes to the provider that serves the model; <c>-p</c> alone to that provider's default model; both:
    /// the model on that provider, unless the model is known to belong to another provider (then an error naming it).
    /// An uncatalogued model with <c>-p</c>, or any model on a provider with its own <c>base_url</c>, is sent as asked
    /// (the documented <c>provider/model</c> escape hatch).
    /// </summary>
    /// <exception cref="RoutingException">Unknown model, or a model of another provider than the one given.</exception>
    public static ModelRoute Resolve(LlmOptions options, string? provider, string? model)
    {
        ArgumentNullException.ThrowIfNull(options);
        var router = new ModelRouter(options, ModelCatalog.FromOptions(options), PriceTable.LoadDefault().WithOverrides(options.Prices));
        if (provider is null)
        {
            return router.Resolve(model, null);
        }

        if (model is null)
        {
            return router.Resolve($"{provider}/{options.Providers[provider].DefaultModel}", null);
        }

        var pinned = router.Resolve($"{provider}/{model}", null);
        ModelRoute? natural;
        try
        {
            natural = router.Resolve(model, null);
        }
        catch (RoutingException)
        {
            natural = null;
        }

        // A provider with its own base_url may be a compatible server that serves other families (OpenRouter, vLLM).
        if (natural is not null && natural.Provider.Kind != pinned.Provider.Kind && pinned.Provider.BaseUrl is null)
        {
            throw new RoutingException(model,
                $"Model '{model}' is served by '{natural.Provider.Name}' ({natural.Provider.Kind}), not by '{provider}' ({pinned.Provider.Kind}). " +
                $"Drop --provider, or give a model of '{provider}' (its default is '{options.Providers[provider].DefaultModel}').");
        }

        return pinned;
    }
}
