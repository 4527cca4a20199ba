using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Gateway.Routing;

namespace CompanyOs.Server.Gateway;

/// <summary>
/// The provider a <c>/v1</c> request is routed to, as a request feature: first the route the gateway will take for the
/// requested model, then the provider that answered (fallback) or failed. Rate-limit headers report that provider's limits.
/// </summary>
internal sealed record RoutedProvider(string Name)
{
    /// <summary>Records where <paramref name="model"/> routes for this caller; an unknown model records nothing (the gateway says 404).</summary>
    public static void Expect(HttpContext http, string model, LlmCallContext context, GatewayServices gateway)
    {
        try
        {
            var route = gateway.Router.Resolve(model, context);
            http.Features.Set(new RoutedProvider(route.Provider.Name));
        }
        catch (RoutingException)
        {
        }
    }

    /// <summary>Records the provider a failed call names (the one whose limit refused it, or that failed).</summary>
    public static void From(HttpContext http, Exception exception)
    {
        var provider = exception switch
        {
            RateLimitedException e => e.Provider,
            ProviderException e => e.Provider,
            _ => null,
        };
        if (provider is not null)
        {
            http.Features.Set(new RoutedProvider(provider));
        }
    }
}
