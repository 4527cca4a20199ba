using System.Text.Json;
using System.Text.Json.Serialization;
using CompanyOs.Server.Keys;

namespace CompanyOs.Server.Agents;

/// <summary>Registers the agent runtime and maps the agent API (docs/server.md, "Agent API").</summary>
internal static class AgentApi
{
    public static IServiceCollection AddAgentRuns(this IServiceCollection services)
    {
        services.AddSingleton<RunStepHub>();
        services.AddSingleton<AgentRuns>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentRuns>());
        // The OpenAPI document describes types with these options: snake_case and strict numbers, as the API writes them
        // (every endpoint of this server serializes with its own source-generated context; these are the defaults left).
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, AgentJsonContext.Default);
        });
        // The OpenAPI document's services are built on its first request (OpenApiOnDemand), not here.
        OpenApiOnDemand.Register(services);
        return services;
    }

    /// <summary>
    /// Documents a JSON request body without <c>Accepts</c> (which would make routing depend on the Content-Type, so a
    /// bodiless POST would miss the endpoint); the endpoint reads and checks the body itself.
    /// </summary>
    public static RouteHandlerBuilder Body<T>(this RouteHandlerBuilder builder) => builder.WithMetadata(new DocumentedJsonBody(typeof(T)));

    /// <summary>Maps <c>/v1/runs…</c>, <c>/v1/decisions</c>, <c>/v1/prompts…</c> (any valid key reads; changes need the <c>agents</c> scope) and <c>/openapi/v1.json</c>.</summary>
    public static IEndpointRouteBuilder MapAgentApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1").RequireApiKeys(scope: null).WithTags("agents");
        group.MapRuns();
        group.MapRunEvents();
        group.MapDecisions();
        group.MapPrompts();
        OpenApiOnDemand.Map(routes);
        return routes;
    }
}
