using System.Text.Json;
using System.Text.Json.Serialization;
using CompanyOs.Server.Keys;
using Microsoft.OpenApi;

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
        services.AddOpenApi(o => o.ShouldInclude = d => d.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) == true && d.GroupName is null or "agents");
        return services;
    }

    /// <summary>
    /// Documents a JSON request body without <c>Accepts</c> (which would make routing depend on the Content-Type, so a
    /// bodiless POST would miss the endpoint); the endpoint reads and checks the body itself.
    /// </summary>
    public static RouteHandlerBuilder Body<T>(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { ["application/json"] = new() { Schema = schema } },
            };
        });

    /// <summary>Maps <c>/v1/runs…</c>, <c>/v1/decisions</c>, <c>/v1/prompts…</c> (any valid key reads; changes need the <c>agents</c> scope) and <c>/openapi/v1.json</c>.</summary>
    public static IEndpointRouteBuilder MapAgentApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1").RequireApiKeys(scope: null).WithTags("agents");
        group.MapRuns();
        group.MapRunEvents();
        group.MapDecisions();
        group.MapPrompts();
        routes.MapOpenApi();
        return routes;
    }
}
