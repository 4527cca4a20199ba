using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Costs;
using CompanyOs.Llm.Models;

namespace CompanyOs.Llm.Gateway.Routing;

/// <summary>
/// Chooses provider and model for a call: the request's model (<c>provider/model</c>, alias or plain id) wins, then the
/// agent's <c>agent_models</c> entry, then the default provider's default model. Validates its configuration when built.
/// </summary>
public sealed class ModelRouter
{
    private readonly LlmOptions _options;
    private readonly ModelCatalog _catalog;
    private readonly PriceTable _prices;
    private readonly ProviderOptions _defaultProvider;
    private readonly ProviderOptions[] _enabled;

    // The route of a call that names no model, made once (a route is immutable, a race only builds it twice).
    private ModelRoute? _defaultRoute;

    /// <exception cref="ConfigurationException">No provider is enabled, or default/agent entries name unknown or disabled providers.</exception>
    public ModelRouter(LlmOptions options, ModelCatalog catalog, PriceTable prices)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _prices = prices ?? throw new ArgumentNullException(nameof(prices));
        _enabled = [.. options.Providers.Values.Where(p => p.Enabled)];
        if (_enabled.Length == 0)
        {
            throw new ConfigurationException(options.SourceFile, "providers", "no provider is enabled");
        }

        _defaultProvider = options.DefaultProvider is null
            ? _enabled[0]
            : RequireEnabled(options.DefaultProvider, "default_provider");
        foreach (var (agent, assignment) in options.AgentModels)
        {
            RequireEnabled(assignment.Primary, $"agent_models.{agent}.primary");
        }
    }

    /// <summary>Resolves the route for a request.</summary>
    /// <exception cref="RoutingException">The model is unknown, or names a provider that is not configured or is disabled.</exception>
    public ModelRoute Resolve(string? requestedModel, LlmCallContext? context)
    {
        AgentModelOptions? assignment = null;
        if (context?.AgentType is { } agentType)
        {
            _options.AgentModels.TryGetValue(agentType, out assignment);
        }

        if (string.IsNullOrWhiteSpace(requestedModel))
        {
            return assignment is null
                ? _defaultRoute ??= new ModelRoute(_defaultProvider, _catalog.Resolve(_defaultProvider.DefaultModel))
                : ResolveOn(ProviderFor(assignment.Primary, null), assignment.Model, null);
        }

        var name = _catalog.Resolve(requestedModel);
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && _options.Providers.ContainsKey(name[..slash]))
        {
            return ResolveOn(ProviderFor(name[..slash], requestedModel), name[(slash + 1)..], requestedModel);
        }

        var preferred = assignment is null ? null : ProviderFor(assignment.Primary, requestedModel);
        // The candidates in order — the agent's preferred provider, the default provider, every enabled one — tried without an
        // iterator or closure (this runs on every call).
        if (preferred is not null && Serves(preferred, name))
        {
            return new ModelRoute(preferred, name);
        }

        if (Serves(_defaultProvider, name))
        {
            return new ModelRoute(_defaultProvider, name);
        }

        foreach (var candidate in _enabled)
        {
            if (Serves(candidate, name))
            {
                return new ModelRoute(candidate, name);
            }
        }

        throw new RoutingException(requestedModel,
            $"Unknown model '{requestedModel}': no enabled provider serves it (not a known model family, not a default or fallback model of an enabled provider). " +
            "Write '<provider>/<model>' to send an uncatalogued model to a specific provider.");
    }

    private ModelRoute ResolveOn(ProviderOptions provider, string model, string? requested)
    {
        return string.IsNullOrWhiteSpace(model)
            ? throw new RoutingException(requested, $"The request names provider '{provider.Name}' but no model.")
            : new ModelRoute(provider, _catalog.Resolve(model));
    }

    private bool Serves(ProviderOptions provider, string model) =>
        string.Equals(_catalog.Resolve(provider.DefaultModel), model, StringComparison.Ordinal)
        || ServesAsFallback(provider, model)
        || (_prices.GetProviderKind(model) ?? _catalog.GetProviderKind(model)) == provider.Kind;

    private bool ServesAsFallback(ProviderOptions provider, string model)
    {
        foreach (var fallback in provider.FallbackModels.Values)
        {
            if (string.Equals(_catalog.Resolve(fallback), model, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The exact id of a model name (aliases followed), e.g. for a fallback target's default model.</summary>
    public string ResolveModel(string model) => _catalog.Resolve(model);

    private ProviderOptions ProviderFor(string name, string? requested)
    {
        if (!_options.Providers.TryGetValue(name, out var provider))
        {
            throw new RoutingException(requested, $"Provider '{name}' is not configured (known: {string.Join(", ", _options.Providers.Keys)}).");
        }

        return provider.Enabled ? provider : throw new RoutingException(requested, $"Provider '{name}' is disabled in {_options.SourceFile}.");
    }

    private ProviderOptions RequireEnabled(string name, string key)
    {
        if (!_options.Providers.TryGetValue(name, out var provider))
        {
            throw new ConfigurationException(_options.SourceFile, key, $"names provider '{name}', which is not configured");
        }

        return provider.Enabled ? provider : throw new ConfigurationException(_options.SourceFile, key, $"names provider '{name}', which is disabled");
    }
}
